// fnnpack's commands, one file each; fnnpack.cpp dispatches to them. Each returns the exit
// status: 0 done, 1 failed (a message names the file and the problem), 2 bad usage.
#pragma once

namespace fnn {

int cmd_dataset(int argc, char** argv);  // fnnpack_dataset.cpp
int cmd_cifar10(int argc, char** argv);  // fnnpack_dataset.cpp
int cmd_images(int argc, char** argv);   // fnnpack_dataset.cpp
int cmd_model(int argc, char** argv);    // fnnpack_model.cpp
int cmd_c_array(int argc, char** argv);  // fnnpack_carray.cpp

}  // namespace fnn
