// The only doctest main: every tests/test_<module>.cpp links against it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
