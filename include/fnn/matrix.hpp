// MatView / ConstMatView: non-owning row-major views (data, rows, cols, row stride). Elements of
// a row are contiguous; rows are `stride` floats apart, so sub-views and row ranges are just an
// offset pointer with the parent's stride. Copied by value, never allocate.
#pragma once

#include <stddef.h>

namespace fnn {

struct MatView {
    float* data = nullptr;
    int rows = 0;
    int cols = 0;
    int stride = 0;  // floats between the starts of consecutive rows, >= cols

    float* row(int r) const { return data + static_cast<ptrdiff_t>(r) * stride; }
    float& at(int r, int c) const { return row(r)[c]; }
    // The nr x nc block whose top-left element is (r0, c0).
    MatView block(int r0, int c0, int nr, int nc) const { return {row(r0) + c0, nr, nc, stride}; }
    MatView row_range(int r0, int nr) const { return block(r0, 0, nr, cols); }
};

struct ConstMatView {
    const float* data = nullptr;
    int rows = 0;
    int cols = 0;
    int stride = 0;

    ConstMatView() = default;
    ConstMatView(const float* d, int r, int c, int s) : data(d), rows(r), cols(c), stride(s) {}
    ConstMatView(const MatView& m) : data(m.data), rows(m.rows), cols(m.cols), stride(m.stride) {}

    const float* row(int r) const { return data + static_cast<ptrdiff_t>(r) * stride; }
    float at(int r, int c) const { return row(r)[c]; }
    ConstMatView block(int r0, int c0, int nr, int nc) const {
        return {row(r0) + c0, nr, nc, stride};
    }
    ConstMatView row_range(int r0, int nr) const { return block(r0, 0, nr, cols); }
};

}  // namespace fnn
