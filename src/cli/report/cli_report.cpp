// `fnn report`: finds out whether DIR is a run or a sweep and writes its page or prints its text.
#include "cli/report/cli_report.hpp"

#include <stdio.h>

#include <string>
#include <vector>

#include "cli/cli_flags.hpp"
#include "cli/report/cli_report_compare.hpp"
#include "cli/report/cli_report_run.hpp"
#include "cli/report/cli_report_sweep.hpp"
#include "cli/sweep/cli_sweep_studies.hpp"
#include "cli/sweep/cli_sweep_summary.hpp"
#include "fnn/file_io.hpp"

namespace fnn {

int cmd_report(int argc, char** argv) {
    std::string output, compare, data_dir;
    bool overwrite = false;
    std::vector<std::string> dirs;
    FlagParser p("fnn report",
                 "Report on a run or sweep directory: fnn report DIR [-o report.html] [--compare "
                 "SWEEP_DIR]\n"
                 "Compare runs: fnn report RUN_A RUN_B ... [-o compare.html]\n"
                 "Without -o the essentials are printed as text.");
    p.add(text_flag("-o", "--output", "FILE", "write one self-contained HTML page here", output));
    p.add(switch_flag("", "--overwrite", "replace the output file if it exists", overwrite));
    p.add(text_flag("", "--compare", "DIR",
                    "a second sweep (e.g. the same search with squared error) to compare with",
                    compare));
    p.add(
        text_flag("", "--data_dir", "DIR", "where the .fnnd files are (default: data/)", data_dir));
    const ParseResult parsed = p.parse(argc, argv, 2, &dirs);
    if (parsed != ParseResult::Ok) return parsed == ParseResult::Help ? 0 : 2;
    if (dirs.empty()) {
        fprintf(stderr, "fnn report: give a run or sweep directory, or several runs to compare\n");
        return 2;
    }
    ErrorText err;
    if (!output.empty() && check_new_output(output, overwrite, &err) != Status::Ok) {
        fprintf(stderr, "fnn report: %s\n", err.text);
        return 1;
    }
    if (dirs.size() > 1) return compare_runs(dirs, output);
    const std::string dir = dirs[0];
    std::string page, error;
    if (file_exists(dir + "/sweep.json")) {
        SweepData s, other;
        if (!load_sweep(dir, s, error) ||
            (!compare.empty() && !load_sweep(compare, other, error))) {
            fprintf(stderr, "fnn report: %s\n", error.c_str());
            return 1;
        }
        for (const std::string& w : s.warnings)
            fprintf(stderr, "fnn report: warning: %s\n", w.c_str());
        if (output.empty()) {
            const int rc = summarize_sweep(dir, 10);
            return rc != 0 || compare.empty() ? rc : (printf("\n"), compare_sweeps(dir, compare));
        }
        page = sweep_page(dir, s, compare.empty() ? nullptr : &other, compare);
    } else {
        RunData d;
        if (!load_run(dir, data_dir, argv[0], d, error)) {
            fprintf(stderr, "fnn report: %s\n", error.c_str());
            return 1;
        }
        if (output.empty()) {
            fputs(run_text(dir, d).c_str(), stdout);
            return 0;
        }
        page = run_page(dir, d);
    }
    if (write_file_atomic(output, page, &err) != Status::Ok) {
        fprintf(stderr, "fnn report: %s\n", err.text);
        return 1;
    }
    printf("%s: %zu bytes; open it in a browser\n", output.c_str(), page.size());
    return 0;
}

}  // namespace fnn
