// fnnpack c-array: any file (normally a model blob) as a C source file holding a 16-byte-aligned
// const byte array and its length, and a header declaring both, so firmware embeds a model with
// no filesystem.
#include <stdio.h>

#include <string>
#include <vector>

#include "cli/cli_c_array.hpp"
#include "cli/cli_flags.hpp"
#include "fnn/file_io.hpp"
#include "fnnpack.hpp"

namespace fnn {

namespace {

// model.c -> model.h; any other name gets ".h" added.
std::string header_path_for(const std::string& source) {
    if (source.size() > 2 && source.compare(source.size() - 2, 2, ".c") == 0)
        return source.substr(0, source.size() - 2) + ".h";
    return source + ".h";
}

}  // namespace

int cmd_c_array(int argc, char** argv) {
    std::string out_path, name = "fnn_model_blob", header_path;
    bool overwrite = false;
    std::vector<std::string> inputs;
    FlagParser p("fnnpack c-array",
                 "Write a file as a C array: fnnpack c-array MODEL.fnn -o model.c [--name NAME]");
    p.add({"",
           "--name",
           "NAME",
           "C identifier of the array; NAME_len holds its length (default fnn_model_blob)",
           {},
           [&](const std::string& v, std::string& e) {
               if (!is_c_identifier(v)) e = "'" + v + "' is not a C identifier";
               name = v;
               return e.empty();
           }});
    p.add(text_flag("-o", "--output", "FILE", "C source file to write", out_path));
    p.add(switch_flag("", "--overwrite", "replace the output files if it exists", overwrite));
    p.add(text_flag("", "--header", "FILE",
                    "header declaring the array (default: the output with .h for .c)",
                    header_path));
    const ParseResult r = p.parse(argc, argv, 2, &inputs);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (inputs.size() != 1 || out_path.empty()) {
        fprintf(stderr, "fnnpack c-array: give one input file and --output\n");
        return 2;
    }
    if (header_path.empty()) header_path = header_path_for(out_path);
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (check_new_output(out_path, overwrite, &err) != Status::Ok ||
        check_new_output(header_path, overwrite, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack c-array: %s\n", err.text);
        return 1;
    }
    if (read_file(inputs[0], bytes, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack c-array: %s\n", err.text);
        return 1;
    }
    const std::string origin = inputs[0] + ", written by fnnpack c-array";
    const std::string text = c_array_source(name, bytes, origin);
    const std::string header = c_array_header(name, bytes.size(), origin, out_path);
    if (write_file_atomic(out_path, text, &err) != Status::Ok ||
        write_file_atomic(header_path, header, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack c-array: %s\n", err.text);
        return 1;
    }
    printf("%s: %s[%zu] and %s_len, declared in %s\n", out_path.c_str(), name.c_str(),
           bytes.size(), name.c_str(), header_path.c_str());
    return 0;
}

}  // namespace fnn
