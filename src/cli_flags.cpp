// Flag parsing and help text.
#include "cli_flags.hpp"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

namespace fnn {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

std::string spelling(const Flag& f) {
    return f.short_name.empty() ? f.long_name : f.short_name + "/" + f.long_name;
}

}  // namespace

FlagParser::FlagParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void FlagParser::add(Flag flag) { flags_.push_back(std::move(flag)); }

const Flag* FlagParser::find(const std::string& name) const {
    for (const Flag& f : flags_) {
        if (name == f.long_name || (!f.short_name.empty() && name == f.short_name)) return &f;
    }
    return nullptr;
}

bool FlagParser::was_set(const std::string& long_name) const {
    return std::find(set_.begin(), set_.end(), long_name) != set_.end();
}

std::string FlagParser::help() const {
    std::string out = "usage: " + command_ + " [flags]\n" + summary_ + "\n\nflags:\n";
    for (const Flag& f : flags_) {
        std::string left = "  " + spelling(f) + (f.metavar.empty() ? "" : " " + f.metavar);
        if (left.size() < 34) left.resize(34, ' ');
        else left += "\n" + std::string(34, ' ');
        out += left + f.help;
        if (!f.choices.empty()) out += " (" + join(f.choices, "|") + ")";
        out += "\n";
    }
    out += "  -h/--help                       show this help\n";
    return out;
}

ParseResult FlagParser::parse(int argc, char** argv, int first,
                              std::vector<std::string>* positionals) {
    std::vector<std::string> args(argv + first, argv + argc);
    std::string message;
    const ParseResult r = parse_list(args, positionals, message);
    if (r == ParseResult::Help) fputs(message.c_str(), stdout);
    if (r == ParseResult::UsageError)
        fprintf(stderr, "%s: %s\n", command_.c_str(), message.c_str());
    return r;
}

ParseResult FlagParser::parse_list(const std::vector<std::string>& args,
                                   std::vector<std::string>* positionals, std::string& message) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "-h" || arg == "--help") {
            message = help();
            return ParseResult::Help;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            if (positionals != nullptr) {
                positionals->push_back(arg);
                continue;
            }
            message = "unexpected argument '" + arg + "' (flags start with -; see --help)";
            return ParseResult::UsageError;
        }
        std::string value;
        bool has_inline_value = false;
        const size_t eq = arg.find('=');
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline_value = true;
        }
        const Flag* flag = find(arg);
        if (flag == nullptr) {
            std::vector<std::string> names;
            for (const Flag& f : flags_) names.push_back(spelling(f));
            message =
                "unknown flag '" + arg + "'\nvalid flags: " + join(names, ", ") + ", -h/--help";
            return ParseResult::UsageError;
        }
        if (flag->metavar.empty()) {
            if (has_inline_value) {
                message = flag->long_name + " takes no value";
                return ParseResult::UsageError;
            }
        } else if (!has_inline_value) {
            if (i + 1 >= args.size()) {
                message = flag->long_name + " needs a value (" +
                          (flag->choices.empty() ? flag->metavar : join(flag->choices, "|")) + ")";
                return ParseResult::UsageError;
            }
            value = args[++i];
        }
        if (!flag->choices.empty() &&
            std::find(flag->choices.begin(), flag->choices.end(), value) == flag->choices.end()) {
            message = flag->long_name + ": '" + value +
                      "' is not a valid choice; valid choices: " + join(flag->choices, ", ");
            return ParseResult::UsageError;
        }
        std::string error;
        if (!flag->apply(value, error)) {
            message = flag->long_name + ": " + error;
            return ParseResult::UsageError;
        }
        set_.push_back(flag->long_name);
    }
    return ParseResult::Ok;
}

Flag text_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
               std::string& target, std::vector<std::string> choices) {
    return Flag{std::move(short_name),
                std::move(long_name),
                std::move(metavar),
                std::move(help),
                std::move(choices),
                [&target](const std::string& v, std::string&) {
                    target = v;
                    return true;
                }};
}

Flag switch_flag(std::string short_name, std::string long_name, std::string help, bool& target) {
    return Flag{std::move(short_name),
                std::move(long_name),
                "",
                std::move(help),
                {},
                [&target](const std::string&, std::string&) {
                    target = true;
                    return true;
                }};
}

Flag int_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
              long& target, long lo, long hi) {
    return Flag{std::move(short_name),
                std::move(long_name),
                std::move(metavar),
                std::move(help),
                {},
                [&target, lo, hi](const std::string& v, std::string& e) {
                    return parse_int_value(v, lo, hi, target, e);
                }};
}

Flag int_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
              int& target, long lo, long hi) {
    return Flag{std::move(short_name),
                std::move(long_name),
                std::move(metavar),
                std::move(help),
                {},
                [&target, lo, hi](const std::string& v, std::string& e) {
                    long n = 0;
                    if (!parse_int_value(v, lo, hi, n, e)) return false;
                    target = static_cast<int>(n);
                    return true;
                }};
}

Flag double_flag(std::string short_name, std::string long_name, std::string metavar,
                 std::string help, double& target, double lo, double hi) {
    return Flag{std::move(short_name),
                std::move(long_name),
                std::move(metavar),
                std::move(help),
                {},
                [&target, lo, hi](const std::string& v, std::string& e) {
                    return parse_double_value(v, lo, hi, target, e);
                }};
}

bool parse_int_value(const std::string& text, long lo, long hi, long& out, std::string& error) {
    errno = 0;
    char* end = nullptr;
    const long v = strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        error =
            "'" + text + "' is not an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
        return false;
    }
    out = v;
    return true;
}

bool parse_double_value(const std::string& text, double lo, double hi, double& out,
                        std::string& error) {
    errno = 0;
    char* end = nullptr;
    const double v = strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !isfinite(v) || v < lo || v > hi) {
        char range[96];
        snprintf(range, sizeof range, "a number in [%g, %g]", lo, hi);
        error = "'" + text + "' is not " + range;
        return false;
    }
    out = v;
    return true;
}

bool parse_u64_value(const std::string& text, uint64_t& out, std::string& error) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE) {
        error = "'" + text + "' is not a non-negative integer";
        return false;
    }
    out = v;
    return true;
}

}  // namespace fnn
