#include "runtime/RunOptions.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace marthe::rt {

bool Range::contains(double x) const {
  return std::isfinite(x) && (lowerInclusive ? x >= lower : x > lower) &&
         (upperInclusive ? x <= upper : x < upper);
}

/// The shortest text that reads back as `value`.
static std::string formatNumber(double value) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  return text;
}

std::string Range::describe() const {
  if (!std::isfinite(upper) || upper >= 1e30)
    return (lowerInclusive ? ">= " : "> ") + formatNumber(lower);
  return "in " + std::string(lowerInclusive ? "[" : "(") + formatNumber(lower) + ", " +
         formatNumber(upper) + (upperInclusive ? "]" : ")");
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

template <typename T> static nlohmann::json toJson(const T &value, const OptionInfo &) {
  return value;
}

static nlohmann::json toJson(const std::optional<double> &value, const OptionInfo &info) {
  return value ? nlohmann::json(*value) : nlohmann::json(info.word);
}

template <typename T> static void fromJson(const nlohmann::json &j, T &value, const OptionInfo &) {
  value = j.get<T>();
}

static void fromJson(const nlohmann::json &j, std::optional<double> &value, const OptionInfo &) {
  value = j.is_number() ? std::optional(j.get<double>()) : std::nullopt;
}

std::string runOptionsJson(const RunOptions &options) {
  nlohmann::json j = nlohmann::json::object();
  forEachRunOption(options, [&](const auto &value, const OptionInfo &info) {
    j[info.json] = toJson(value, info);
  });
  return j.dump();
}

void readRunOptionsJson(const std::string &json, RunOptions &options) {
  nlohmann::json j = nlohmann::json::parse(json);
  forEachRunOption(options, [&](auto &value, const OptionInfo &info) {
    if (j.contains(info.json))
      fromJson(j.at(info.json), value, info);
  });
}

//===----------------------------------------------------------------------===//
// The command line
//===----------------------------------------------------------------------===//

namespace {

[[noreturn]] void badValue(const OptionInfo &info, const std::string &expected,
                           const std::string &text) {
  throw Error(std::string("option ") + info.flag + ": expected " + expected + ", got '" + text +
              "'");
}

double parseNumber(const OptionInfo &info, const std::string &text) {
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    badValue(info, "a number", text);
  return value;
}

template <typename T> void parseValue(const std::string &text, T &value, const OptionInfo &info) {
  if constexpr (std::is_same_v<T, double>) {
    double number = parseNumber(info, text);
    if (!info.range.contains(number))
      badValue(info, "a number " + info.range.describe(), text);
    value = number;
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // Integers up to 2^53: beyond that doubles skip integers.
    double number = parseNumber(info, text);
    if (!info.range.contains(number) || number > 9007199254740992.0 ||
        number != std::floor(number))
      badValue(info, "an integer " + info.range.describe(), text);
    value = T(number);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text != "yes" && text != "no")
      badValue(info, "yes or no", text);
    value = text == "yes";
  } else if constexpr (std::is_same_v<T, std::optional<double>>) {
    if (text == info.word) {
      value.reset();
      return;
    }
    double number = parseNumber(info, text);
    if (!info.range.contains(number))
      badValue(info, "a number " + info.range.describe() + " or " + info.word, text);
    value = number;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (info.text == TextKind::Choice &&
        std::none_of(info.choices.begin(), info.choices.end(),
                     [&](const char *choice) { return text == choice; })) {
      std::string choices;
      for (const char *choice : info.choices)
        choices += (choices.empty() ? "" : ", ") + std::string(choice);
      badValue(info, "one of " + choices, text);
    }
    if (text.empty())
      badValue(info, "a non-empty value", text);
    value = text;
  } else {
    throw Error(std::string("option ") + info.flag + " cannot be given on the command line");
  }
}

} // namespace

bool applyRunOption(RunOptions &options, const std::string &flag, const std::string &text) {
  bool found = false;
  forEachRunOption(options, [&](auto &value, const OptionInfo &info) {
    if (!found && info.flag && flag == info.flag) {
      parseValue(text, value, info);
      found = true;
    }
  });
  return found;
}

const OptionInfo *findRunOption(const std::string &flag) {
  static const std::vector<OptionInfo> infos = [] {
    std::vector<OptionInfo> all;
    RunOptions defaults;
    forEachRunOption(defaults, [&](auto &, const OptionInfo &info) { all.push_back(info); });
    return all;
  }();
  for (const OptionInfo &info : infos)
    if (info.flag && flag == info.flag)
      return &info;
  return nullptr;
}

void printRunOptionsHelp(const RunOptions &options, std::FILE *to) {
  forEachRunOption(options, [&](const auto &value, const OptionInfo &info) {
    if (!info.flag)
      return;
    std::string metavar = info.metavar;
    if (info.word)
      metavar = "X|" + std::string(info.word);
    else if (!info.choices.empty()) {
      metavar.clear();
      for (const char *choice : info.choices)
        metavar += (metavar.empty() ? "" : "|") + std::string(choice);
    }
    nlohmann::json current = toJson(value, info);
    std::string shown = current.is_string()         ? current.get<std::string>()
                        : current.is_boolean()      ? (current.get<bool>() ? "yes" : "no")
                        : current.is_number_float() ? formatNumber(current.get<double>())
                                                    : current.dump();
    std::string usage = std::string(info.flag) + " " + metavar;
    if (usage.size() > 28)
      std::fprintf(to, "  %s\n  %-28s", usage.c_str(), "");
    else
      std::fprintf(to, "  %-28s", usage.c_str());
    std::fprintf(to, " %s [%s]\n", info.help, shown.c_str());
  });
}

} // namespace marthe::rt
