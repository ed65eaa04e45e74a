// FNN_ISA: forcing a lower GEMM kernel family changes speed, not results. Training (Fast
// arithmetic) gives the same model with every family that has fused multiply-add (AVX-512 and
// AVX2), and the same model with every family that has not (AVX and the portable kernel);
// evaluation (Reproducible arithmetic) gives the same bits with all four. On a CPU without
// AVX-512 or AVX2 the higher settings fall back to what it has, and the checks still hold.
#include <doctest/doctest.h>

#include <string>

#include "command.hpp"

using namespace fnn_test;

namespace {

// A small CNN and an MLP layer: convolution, batch norm and dense GEMMs in every direction.
const std::string kNet =
    "--arch conv8k3,relu,pool2,conv16k3psame,bn,relu,pool2,dropout0.2,dense32,relu "
    "--limit_train 1000 -e 1 -q";

std::string train_with(const std::string& isa, const std::string& dir) {
    const CommandResult r = run("FNN_ISA=" + isa + " ./fnn train " + kNet + " --out " + dir + "/" + isa);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return read_text(dir + "/" + isa + "/model.fnn");
}

}  // namespace

TEST_CASE("isa: every kernel family trains and evaluates with the same bits") {
    const std::string dir = temp_dir();
    const std::string wide = train_with("avx512", dir);
    CHECK(train_with("avx2", dir) == wide);
    const std::string plain = train_with("avx", dir);
    CHECK(train_with("ref", dir) == plain);
    // Evaluation of one model: the same loss and accuracy to the last printed digit.
    std::string first;
    for (const char* isa : {"avx512", "avx2", "avx", "ref"}) {
        const CommandResult r = run(std::string("FNN_ISA=") + isa + " ./fnn eval --model " + dir +
                                    "/avx512/model.fnn -d fashion_mnist");
        REQUIRE_MESSAGE(r.exit_code == 0, r.output);
        if (first.empty()) first = r.output;
        CHECK(r.output == first);
    }
}

TEST_CASE("isa: an unknown FNN_ISA is named on stderr and the run goes on") {
    const CommandResult r =
        run("FNN_ISA=avx1024 ./fnn train -q -e 1 --limit_train 300 --out " + temp_dir() + "/r");
    CHECK(r.exit_code == 0);
    CHECK_MESSAGE(contains(r.output, "FNN_ISA=avx1024 is not one of avx512, avx2, avx, ref"), r.output);
}
