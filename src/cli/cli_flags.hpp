// Command-line flags for fnn and fnnpack: each flag has a short and a long spelling (and maybe
// other accepted spellings), a value (or none, for switches), optional fixed choices with
// aliases, and a setter. Choices match without regard to case or '-' versus '_' ("Adam",
// "fashion-mnist"); a long flag may be written with '-' for '_' ("--learning-rate"). Unknown
// flags and values are reported with the nearest valid one and the full list; callers exit with
// status 2 on them.
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace fnn {

struct Flag {
    std::string short_name;  // e.g. "-lr"; may be empty
    std::string long_name;   // e.g. "--learning_rate"
    std::string metavar;     // e.g. "RATE"; empty for a switch that takes no value
    std::string help;
    std::vector<std::string> choices;  // when non-empty the value must be one of these
    // Stores the value (a choice arrives in its canonical spelling); returns false with `error`
    // set when it is not acceptable.
    std::function<bool(const std::string& value, std::string& error)> apply;
    // Other accepted values for choices: {alias, choice}, e.g. {"mse", "mean_squared_error"}.
    std::vector<std::pair<std::string, std::string>> aliases = {};
    // Other accepted flag spellings, e.g. "--eta" for --learning_rate.
    std::vector<std::string> other_names = {};
};

enum class ParseResult { Ok, Help, UsageError };

class FlagParser {
public:
    // `command` prefixes messages ("fnn train"); `summary` opens --help.
    FlagParser(std::string command, std::string summary);

    void add(Flag flag);
    // More accepted spellings for the flag `long_name` (which must have been added).
    void add_other_names(const std::string& long_name, const std::vector<std::string>& names);
    // Positional arguments are collected into `positionals` when non-null, else rejected.
    // Accepts "--flag value" and "--flag=value". Prints messages and help to stderr/stdout.
    ParseResult parse(int argc, char** argv, int first, std::vector<std::string>* positionals);
    // The same on a list of arguments, printing nothing: `message` receives the help text or the
    // reason for a UsageError.
    ParseResult parse_list(const std::vector<std::string>& args,
                           std::vector<std::string>* positionals, std::string& message);
    std::string help() const;
    // Where the flag was given on the command line (so defaults can tell "unset" apart).
    bool was_set(const std::string& long_name) const;
    // The flag a spelling ("-lr", "--learning-rate") names, or nullptr.
    const Flag* find(const std::string& name) const;
    // Every spelling the flags accept, for suggestions.
    std::vector<std::string> spellings() const;

private:
    std::string command_;
    std::string summary_;
    std::vector<Flag> flags_;
    std::vector<std::string> set_;
};

// The two commonest flags: a value kept as text (checked against `choices` when given), and a
// switch that sets `target` to true.
Flag text_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
               std::string& target, std::vector<std::string> choices = {});
Flag switch_flag(std::string short_name, std::string long_name, std::string help, bool& target);
// Numbers within [lo, hi], parsed strictly (see parse_int_value, parse_double_value).
Flag int_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
              long& target, long lo, long hi);
// The same into an int field; [lo, hi] must lie within int's range.
Flag int_flag(std::string short_name, std::string long_name, std::string metavar, std::string help,
              int& target, long lo, long hi);
Flag double_flag(std::string short_name, std::string long_name, std::string metavar,
                 std::string help, double& target, double lo, double hi);

// The canonical choice `value` names (case, '-'/'_' and aliases ignored), or "" when none.
std::string match_choice(const Flag& flag, const std::string& value);

// Levenshtein distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `text` when it is near enough to be a likely typo, else "".
std::string nearest(const std::string& text, const std::vector<std::string>& candidates);

// Strict number parsing for flag values: the whole text must be a plain decimal number (no
// hexadecimal, inf or nan) within [lo, hi].
bool parse_int_value(const std::string& text, long lo, long hi, long& out, std::string& error);
bool parse_double_value(const std::string& text, double lo, double hi, double& out,
                        std::string& error);
bool parse_u64_value(const std::string& text, uint64_t& out, std::string& error);

}  // namespace fnn
