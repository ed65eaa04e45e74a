// Flag parsing and help text.
#include "cli/cli_flags.hpp"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

#include "base/text_util.hpp"

namespace fnn {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

// Plain decimal notation only: [+-]digits[.digits][e[+-]digits] (also ".5" and "5."), so that
// hexadecimal ("0x10"), "inf", "nan" and stray spaces, all of which strtod accepts, are refused.
bool is_decimal(const std::string& text, bool allow_fraction) {
    size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t digits = 0;
    while (i < text.size() && ascii_digit(text[i])) ++i, ++digits;
    if (allow_fraction && i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && ascii_digit(text[i])) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (allow_fraction && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        size_t exponent = 0;
        while (i < text.size() && ascii_digit(text[i])) ++i, ++exponent;
        if (exponent == 0) return false;
    }
    return i == text.size();
}

std::string spelling(const Flag& f) {
    return f.short_name.empty() ? f.long_name : f.short_name + "/" + f.long_name;
}

// How choices and long flag names compare: lower case, '-' read as '_' (after the leading
// dashes of a flag).
std::string fold(const std::string& text) {
    size_t dashes = 0;
    while (dashes < text.size() && dashes < 2 && text[dashes] == '-') ++dashes;
    std::string out = text.substr(0, dashes);
    for (size_t i = dashes; i < text.size(); ++i) {
        const char c = text[i];
        out += c == '-' ? '_' : ascii_lower(c);
    }
    return out;
}

std::string choices_text(const Flag& f) {
    std::string out = join(f.choices, "|");
    if (!f.aliases.empty()) {
        std::vector<std::string> also;
        for (const auto& a : f.aliases) also.push_back(a.first);
        out += "; also " + join(also, ", ");
    }
    return out;
}

}  // namespace

std::string match_choice(const Flag& flag, const std::string& value) {
    const std::string key = fold(value);
    for (const std::string& c : flag.choices) {
        if (fold(c) == key) return c;
    }
    for (const auto& a : flag.aliases) {
        if (fold(a.first) == key) return a.second;
    }
    return "";
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string nearest(const std::string& text, const std::vector<std::string>& candidates) {
    const std::string key = fold(text);
    std::string best;
    size_t best_distance = 0;
    for (const std::string& c : candidates) {
        const size_t d = edit_distance(key, fold(c));
        if (best.empty() || d < best_distance) best = c, best_distance = d;
    }
    // A typo changes a few characters; anything further is a different word.
    const size_t limit = std::max<size_t>(2, key.size() / 3);
    return best_distance <= limit ? best : "";
}

FlagParser::FlagParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void FlagParser::add(Flag flag) { flags_.push_back(std::move(flag)); }

void FlagParser::add_other_names(const std::string& long_name,
                                 const std::vector<std::string>& names) {
    for (Flag& f : flags_) {
        if (f.long_name == long_name) f.other_names.insert(f.other_names.end(), names.begin(), names.end());
    }
}

const Flag* FlagParser::find(const std::string& name) const {
    for (const Flag& f : flags_) {
        if (name == f.long_name || (!f.short_name.empty() && name == f.short_name)) return &f;
        for (const std::string& other : f.other_names) {
            if (name == other) return &f;
        }
    }
    // Long flags also in another case or with '-' for '_': --learning-rate, --Learning_Rate.
    if (name.compare(0, 2, "--") != 0) return nullptr;
    for (const Flag& f : flags_) {
        if (fold(name) == fold(f.long_name)) return &f;
        for (const std::string& other : f.other_names) {
            if (other.compare(0, 2, "--") == 0 && fold(name) == fold(other)) return &f;
        }
    }
    return nullptr;
}

std::vector<std::string> FlagParser::spellings() const {
    std::vector<std::string> out;
    for (const Flag& f : flags_) {
        out.push_back(f.long_name);
        if (!f.short_name.empty()) out.push_back(f.short_name);
        for (const std::string& other : f.other_names) out.push_back(other);
    }
    return out;
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
        if (!f.choices.empty()) out += " (" + choices_text(f) + ")";
        if (!f.other_names.empty()) out += " [also " + join(f.other_names, ", ") + "]";
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
            const std::string guess = nearest(arg, spellings());
            message = "unknown flag '" + arg + "'" +
                      (guess.empty() ? "" : "; did you mean " + guess + "?") +
                      "\nvalid flags: " + join(names, ", ") + ", -h/--help";
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
                          (flag->choices.empty() ? flag->metavar : choices_text(*flag)) + ")";
                return ParseResult::UsageError;
            }
            value = args[++i];
        }
        if (!flag->choices.empty()) {
            const std::string choice = match_choice(*flag, value);
            if (choice.empty()) {
                std::vector<std::string> known = flag->choices;
                for (const auto& a : flag->aliases) known.push_back(a.first);
                const std::string guess = nearest(value, known);
                message = flag->long_name + ": '" + value + "' is not a valid choice" +
                          (guess.empty() ? "" : "; did you mean " + match_choice(*flag, guess) + "?") +
                          "; valid choices: " + join(flag->choices, ", ");
                return ParseResult::UsageError;
            }
            value = choice;
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
    if (!is_decimal(text, false) || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
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
    char range[96];
    snprintf(range, sizeof range, "[%.10g, %.10g]", lo, hi);
    if (!is_decimal(text, true) || *end != '\0' || !isfinite(v)) {
        error = "'" + text + "' is not a decimal number (expected one in " + range + ")";
        return false;
    }
    if (v < lo || v > hi) {
        error = "'" + text + "' is outside " + range;
        return false;
    }
    out = v;
    return true;
}

bool parse_u64_value(const std::string& text, uint64_t& out, std::string& error) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = strtoull(text.c_str(), &end, 10);
    if (!is_decimal(text, false) || text[0] == '-' || *end != '\0' || errno == ERANGE) {
        error = "'" + text + "' is not a non-negative integer";
        return false;
    }
    out = v;
    return true;
}

}  // namespace fnn
