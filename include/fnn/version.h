/* fnn's version, the one place it is written (the Makefile reads it for pkg-config files).
 * C and C++. */
#ifndef FNN_VERSION_H
#define FNN_VERSION_H

#define FNN_VERSION "0.2.0"

#endif /* FNN_VERSION_H */
