// Arena: alignment, exact planning, bounds and mark/rewind.
#include <doctest/doctest.h>

#include <stdint.h>

#include <vector>

#include "fnn/arena.hpp"

using namespace fnn;

TEST_CASE("arena: allocations are 64-byte aligned even from a misaligned buffer") {
    std::vector<unsigned char> bytes(1024);
    for (size_t offset = 0; offset < 8; ++offset) {
        Arena arena(bytes.data() + offset, bytes.size() - offset);
        for (size_t n : {1u, 3u, 64u, 65u, 100u}) {
            void* p = arena.alloc(n);
            REQUIRE(p != nullptr);
            CHECK(reinterpret_cast<uintptr_t>(p) % kArenaAlign == 0);
        }
    }
}

TEST_CASE("arena: a buffer of arena_buffer_bytes(plan) holds exactly the plan") {
    const size_t sizes[] = {4, 64, 100, 256, 1};
    size_t plan = 0;
    for (size_t s : sizes) plan += arena_round(s);
    std::vector<unsigned char> bytes(arena_buffer_bytes(plan) + 64);
    for (size_t offset = 0; offset < 64; ++offset) {
        Arena arena(bytes.data() + offset, arena_buffer_bytes(plan));
        for (size_t s : sizes) REQUIRE(arena.alloc(s) != nullptr);
        CHECK(arena.used() == plan);
        CHECK(arena.alloc(1) == nullptr);  // fewer than 64 bytes of slack remain
    }
    // One byte short of the plan, from a 64-aligned start, fails on the last carving.
    unsigned char* aligned =
        bytes.data() + (64 - reinterpret_cast<uintptr_t>(bytes.data()) % 64) % 64;
    Arena tight(aligned, plan - 1);
    for (size_t i = 0; i + 1 < sizeof sizes / sizeof sizes[0]; ++i) REQUIRE(tight.alloc(sizes[i]));
    CHECK(tight.alloc(sizes[4]) == nullptr);
}

TEST_CASE("arena: out-of-space and huge requests fail without moving the cursor") {
    std::vector<unsigned char> bytes(256 + 63);
    Arena arena(bytes.data(), bytes.size());
    REQUIRE(arena.alloc(200) != nullptr);
    const size_t used = arena.used();
    CHECK(arena.alloc(64) == nullptr);
    CHECK(arena.alloc(SIZE_MAX) == nullptr);
    CHECK(arena.alloc(SIZE_MAX - 10) == nullptr);
    CHECK(arena.used() == used);
    CHECK(arena.alloc_mat(1000, 1000).data == nullptr);
}

TEST_CASE("arena: mark and rewind recycle scratch, peak remembers the high water") {
    std::vector<unsigned char> bytes(4096);
    Arena arena(bytes.data(), bytes.size());
    REQUIRE(arena.alloc(100) != nullptr);
    const size_t mark = arena.mark();
    void* first = arena.alloc(1000);
    REQUIRE(first != nullptr);
    arena.rewind(mark);
    CHECK(arena.used() == mark);
    CHECK(arena.alloc(1000) == first);
    CHECK(arena.peak() == arena_round(100) + arena_round(1000));
}

TEST_CASE("arena: null or tiny buffers give an arena where every allocation fails") {
    Arena none(nullptr, 100);
    CHECK(none.alloc(1) == nullptr);
    Arena empty;
    CHECK(empty.alloc(1) == nullptr);
    CHECK(empty.capacity() == 0);
}

TEST_CASE("arena: alloc_mat gives a dense view") {
    std::vector<unsigned char> bytes(4096);
    Arena arena(bytes.data(), bytes.size());
    MatView m = arena.alloc_mat(3, 5);
    REQUIRE(m.data != nullptr);
    CHECK(m.rows == 3);
    CHECK(m.cols == 5);
    CHECK(m.stride == 5);
    MatView b = m.block(1, 2, 2, 3);
    CHECK(b.data == m.data + 7);
    CHECK(b.stride == 5);
    CHECK(m.row_range(2, 1).data == m.data + 10);
}
