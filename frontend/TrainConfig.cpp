//===- TrainConfig.cpp - Declarative training configuration ---------------===//

#include "frontend/TrainConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

// The project builds without exceptions, so toml++ reports failures through
// toml::parse_result. It is used header-only, whatever the flags of the
// tomlplusplus::tomlplusplus target say: Debian's libtomlplusplus.so only
// exports the exception-enabled API.
#define TOML_EXCEPTIONS 0
#undef TOML_SHARED_LIB
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
// toml++ 3.3 asserts that a table name starts with a key character before it
// checks it ("[ #x]" aborted the config fuzzer); without the assertion the
// parser reports the error it should. (Under NDEBUG the assertion becomes an
// assumption only where the compiler has __builtin_assume, not with GCC.)
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

#include <charconv>
#include <cstdio>
#include <cmath>
#include <iterator>
#include <vector>

using namespace marthe;
using llvm::Error;
using llvm::StringLiteral;
using llvm::StringRef;
using llvm::Twine;

namespace {

using rt::OptionInfo;
using rt::Range;

constexpr StringLiteral kLossNames[] = {"cross_entropy"};
constexpr StringLiteral kDeviceNames[] = {"cpu", "cuda"};

//===----------------------------------------------------------------------===//
// Error messages
//===----------------------------------------------------------------------===//

Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// "<file>:<line>:<col>: error: <message>".
Error errorAt(StringRef file, const toml::source_position &position,
              const Twine &message) {
  return makeError(file + ":" + Twine(position.line) + ":" +
                   Twine(position.column) + ": error: " + message);
}

StringRef typeName(const toml::node &node) {
  switch (node.type()) {
  case toml::node_type::table:
    return "table";
  case toml::node_type::array:
    return "array";
  case toml::node_type::string:
    return "string";
  case toml::node_type::integer:
    return "integer";
  case toml::node_type::floating_point:
    return "float";
  case toml::node_type::boolean:
    return "boolean";
  case toml::node_type::date:
    return "date";
  case toml::node_type::time:
    return "time";
  default:
    return "date-time";
  }
}

/// The shortest text that reads back as \p value.
std::string formatNumber(double value) {
  char buffer[32];
  auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string quoted(StringRef text) { return ("\"" + text + "\"").str(); }

/// The automatic setting's beta: eta moves by at most this fraction of
/// itself per step (chosen on the benchmark's mlp and cnn_bn tasks).
constexpr double kAutomaticBeta = 0.1;
/// Its fixed mu: the tangent forgets 1% a step (MARTHE-mu).
constexpr double kAutomaticMu = 0.99;

/// 2^24: far more than any split a batch must fit in, and small enough that
/// batch-sized buffers cannot overflow a size.
const Range kBatchSizes{1, true, 16777216, true};

//===----------------------------------------------------------------------===//
// Reading one `key = value` entry
//===----------------------------------------------------------------------===//

/// The value of one key of a table, with what is needed to report errors
/// about it. Each read* method validates the value, stores it in its
/// destination and returns success, or returns an error and leaves the
/// destination untouched.
class Entry {
public:
  Entry(StringRef file, StringRef table, StringRef key, const toml::node &value)
      : file(file), table(table), key(key), value(value) {}

  Error readNumber(double &destination, const Range &range) const {
    if (!isNumber())
      return expected("a number", typeName(value));
    double number = asNumber();
    if (!range.contains(number))
      return expected("a number " + range.describe(), numberText());
    destination = number;
    return Error::success();
  }

  /// A number in \p range, or \p keyword, which stands for std::nullopt.
  Error readNumberOrKeyword(std::optional<double> &destination,
                            StringRef keyword, const Range &range) const {
    std::string alternative = " or " + quoted(keyword);
    if (const auto *word = value.as_string()) {
      if (word->get() != keyword)
        return unknownValue(word->get(), "a number" + alternative);
      destination.reset();
      return Error::success();
    }
    if (!isNumber())
      return expected("a number" + alternative, typeName(value));
    double number = asNumber();
    if (!range.contains(number))
      return expected("a number " + range.describe() + alternative,
                      numberText());
    destination = number;
    return Error::success();
  }

  template <typename Integer>
  Error readInteger(Integer &destination, const Range &range) const {
    const auto *integer = value.as_integer();
    if (!integer)
      return expected("an integer", typeName(value));
    int64_t number = integer->get();
    if (!range.contains(static_cast<double>(number)))
      return expected("an integer " + range.describe(), Twine(number));
    destination = static_cast<Integer>(number);
    return Error::success();
  }

  Error readString(std::string &destination) const {
    const auto *string = value.as_string();
    if (!string)
      return expected("a string", typeName(value));
    destination = string->get();
    return Error::success();
  }

  /// One of \p choices (StringLiterals or C strings); an enum destination
  /// receives its index, a string destination the choice itself.
  template <typename Choice, typename Names>
  Error readChoice(Choice &destination, const Names &choices) const {
    std::string word;
    if (Error err = readString(word))
      return err;
    llvm::SmallVector<StringRef> names(std::begin(choices), std::end(choices));
    const auto *found = llvm::find(names, word);
    if (found == names.end())
      return unknownValue(word, "one of: " + llvm::join(names, ", "));
    if constexpr (std::is_same_v<Choice, std::string>)
      destination = found->str();
    else
      destination = static_cast<Choice>(found - names.begin());
    return Error::success();
  }

  /// A non-empty array of numbers in \p range.
  Error readNumbers(std::vector<double> &destination, const Range &range) const {
    const auto *array = value.as_array();
    if (!array || array->empty())
      return expected("a non-empty array of numbers", array ? "an empty array" : typeName(value));
    std::vector<double> numbers;
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node &item = *array->get(i);
      if (!item.is_integer() && !item.is_floating_point())
        return expected("numbers", Twine(typeName(item)) + " at index " + Twine(i));
      double number = item.is_integer() ? double(item.as_integer()->get())
                                        : item.as_floating_point()->get();
      if (!range.contains(number))
        return expected("numbers " + range.describe(),
                        formatNumber(number) + " at index " + Twine(i));
      numbers.push_back(number);
    }
    destination = std::move(numbers);
    return Error::success();
  }

  Error readBool(bool &destination) const {
    const auto *flag = value.as_boolean();
    if (!flag)
      return expected("true or false", typeName(value));
    destination = flag->get();
    return Error::success();
  }

  /// The name of an optimizer kind (dialect/OptimizerKinds.h).
  Error readOptimizerKind(Optimizer &destination) const {
    std::string word;
    if (Error err = readString(word))
      return err;
    if (const OptimizerKind *kind = findOptimizerKind(word)) {
      destination = kind->id;
      return Error::success();
    }
    return unknownValue(word, "one of: " + llvm::join(llvm::map_range(optimizerKinds(),
                                                                       [](const OptimizerKind &k) {
                                                                         return k.name;
                                                                       }),
                                                       ", "));
  }

  /// The hyperparameters of `kind` spelled by this key: one value, or an
  /// array whose elements are the hyperparameters with this TOML key.
  Error readHyperparameters(const OptimizerKind &kind,
                            llvm::StringMap<double> &destination) const {
    llvm::SmallVector<const Hyperparameter *> spelled;
    for (const Hyperparameter &h : kind.hyperparameters)
      if (h.key() == key)
        spelled.push_back(&h);
    if (spelled.front()->tomlIndex < 0)
      return readHyperparameter(*spelled.front(), value, "", destination);
    const auto *array = value.as_array();
    if (!array || array->size() != spelled.size())
      return expected("an array of " + Twine(spelled.size()) + " numbers",
                      array ? Twine(array->size()) + " elements" : Twine(typeName(value)));
    for (const Hyperparameter *h : spelled)
      if (Error err = readHyperparameter(*h, *array->get(h->tomlIndex),
                                         " at index " + std::to_string(h->tomlIndex),
                                         destination))
        return err;
    return Error::success();
  }

  /// A dataset split: "train" or "test", optionally sliced as
  /// "train[begin:end]" with begin < end (either bound may be omitted).
  Error readSplit(std::string &destination) const {
    std::string split;
    if (Error err = readString(split))
      return err;
    static const llvm::Regex pattern(
        "^(train|test)(\\[([0-9]*):([0-9]*)\\])?$");
    llvm::SmallVector<StringRef, 5> parts;
    if (!pattern.match(split, &parts))
      return unknownValue(split, "\"train\" or \"test\", optionally sliced "
                                 "as \"train[begin:end]\"");
    uint64_t begin = 0, end = 0;
    if (!parts[3].getAsInteger(10, begin) && !parts[4].getAsInteger(10, end) &&
        begin >= end)
      return error("empty slice " + quoted(split) + " (expected begin < end)");
    destination = split;
    return Error::success();
  }

  /// A non-empty path; a relative one is resolved against the directory of
  /// \p baseFile.
  Error readPath(std::string &destination, StringRef baseFile) const {
    std::string path;
    if (Error err = readString(path))
      return err;
    if (path.empty())
      return error("expected a non-empty path");
    llvm::SmallString<128> resolved;
    if (llvm::sys::path::is_relative(path))
      resolved = llvm::sys::path::parent_path(baseFile);
    llvm::sys::path::append(resolved, path);
    destination = resolved.str().str();
    return Error::success();
  }

private:
  Error readHyperparameter(const Hyperparameter &h, const toml::node &node, const std::string &at,
                           llvm::StringMap<double> &destination) const {
    double number;
    if (h.domain == Domain::Flag) {
      const auto *flag = node.as_boolean();
      if (!flag)
        return expected("true or false" + at, typeName(node));
      destination[h.name] = flag->get() ? 1.0 : 0.0;
      return Error::success();
    }
    if (h.domain == Domain::Count) {
      const auto *integer = node.as_integer();
      if (!integer)
        return expected("an integer" + at, typeName(node));
      number = double(integer->get());
    } else if (node.is_integer() || node.is_floating_point()) {
      number = node.is_integer() ? double(node.as_integer()->get())
                                 : node.as_floating_point()->get();
    } else {
      return expected("a number" + at, typeName(node));
    }
    if (!inDomain(h.domain, number) || std::isnan(number))
      return expected(describe(h.domain) + at,
                      node.is_integer() ? std::to_string(node.as_integer()->get())
                                        : formatNumber(number));
    destination[h.name] = number;
    return Error::success();
  }

  Error error(const Twine &message) const {
    return errorAt(file, value.source().begin,
                   "[" + table + "] " + key + ": " + message);
  }

  Error expected(const Twine &what, const Twine &got) const {
    return error("expected " + what + ", got " + got);
  }

  Error unknownValue(StringRef word, const Twine &accepted) const {
    return error("unknown value " + quoted(word) + " (expected " + accepted +
                 ")");
  }

  bool isNumber() const {
    return value.is_integer() || value.is_floating_point();
  }

  /// The value of a number node. (toml++'s value<double>() refuses integers
  /// that a double cannot represent exactly.)
  double asNumber() const {
    if (const auto *integer = value.as_integer())
      return static_cast<double>(integer->get());
    return value.as_floating_point()->get();
  }

  /// A number node as written: an integer stays exact.
  std::string numberText() const {
    if (const auto *integer = value.as_integer())
      return std::to_string(integer->get());
    return formatNumber(value.as_floating_point()->get());
  }

  StringRef file, table, key;
  const toml::node &value;
};

//===----------------------------------------------------------------------===//
// The tables and their keys
//===----------------------------------------------------------------------===//

using KeyReader = Error (*)(const Entry &, TrainConfig &);

struct KeySpec {
  StringLiteral name;
  KeyReader read;
};

struct TableSpec {
  StringLiteral name;
  llvm::ArrayRef<KeySpec> keys;
};

// The keys that shape the compiled step; the run's options are
// rt::forEachRunOption's.
const KeySpec kModelKeys[] = {
    {"onnx", [](const Entry &e,
                TrainConfig &c) { return e.readPath(c.onnx, c.sourcePath); }},
};

const KeySpec kDataKeys[] = {
    {"batch_size",
     [](const Entry &e, TrainConfig &c) {
       c.batchSizeGiven = true;
       return e.readInteger(c.batchSize, kBatchSizes);
     }},
};

const KeySpec kLossKeys[] = {
    {"kind",
     [](const Entry &e, TrainConfig &c) {
       return e.readChoice(c.lossKind, kLossNames);
     }},
    {"weight_decay",
     [](const Entry &e, TrainConfig &c) {
       return e.readNumber(c.weightDecay, rt::kNonNegative);
     }},
};

// The hyperparameters depend on the kind, which may come after them: they
// are read by checkOptimizerKeys once the kind is known.
const KeySpec kOptimizerKeys[] = {
    {"kind",
     [](const Entry &e, TrainConfig &c) { return e.readOptimizerKind(c.optimizer); }},
};

const KeySpec kScheduleKeys[] = {
    {"relative", [](const Entry &e, TrainConfig &c) { return e.readBool(c.relative); }},
};

const KeySpec kRunKeys[] = {
    {"device",
     [](const Entry &e, TrainConfig &c) {
       return e.readChoice(c.device, kDeviceNames);
     }},
};

const TableSpec kTables[] = {
    {"model", kModelKeys},       {"data", kDataKeys},
    {"loss", kLossKeys},         {"optimizer", kOptimizerKeys},
    {"schedule", kScheduleKeys}, {"run", kRunKeys},
};

/// Reads a run option of any type from \p e.
template <typename T>
Error readRunOption(const Entry &e, T &value, const OptionInfo &info, StringRef base) {
  if constexpr (std::is_same_v<T, double>)
    return e.readNumber(value, info.range);
  else if constexpr (std::is_same_v<T, bool>)
    return e.readBool(value);
  else if constexpr (std::is_integral_v<T>)
    return e.readInteger(value, info.range);
  else if constexpr (std::is_same_v<T, std::optional<double>>)
    return e.readNumberOrKeyword(value, info.word, info.range);
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return e.readNumbers(value, info.range);
  else if (info.text == rt::TextKind::Path)
    return e.readPath(value, base);
  else if (info.text == rt::TextKind::Split)
    return e.readSplit(value);
  else
    return e.readChoice(value, info.choices);
}

/// Reads \p table's run option \p key into \p config; nullopt if there is
/// no such option.
std::optional<Error> readRunOptionKey(const Entry &e, StringRef table, StringRef key,
                                      TrainConfig &config) {
  std::optional<Error> result;
  rt::forEachRunOption(config, [&](auto &value, const OptionInfo &info) {
    if (!result && table == info.table && key == info.key)
      result.emplace(readRunOption(e, value, info, config.sourcePath));
  });
  return result;
}

/// The keys of \p table: the run options', then the compiled step's.
std::string keyNames(const TableSpec &table) {
  llvm::SmallVector<StringRef> names;
  rt::RunOptions defaults;
  rt::forEachRunOption(defaults, [&](auto &, const OptionInfo &info) {
    if (table.name == info.table)
      names.push_back(info.key);
  });
  for (const KeySpec &spec : table.keys)
    names.push_back(spec.name);
  return llvm::join(names, ", ");
}

/// The spec in \p specs named \p name, or null.
template <typename Spec>
const Spec *findSpec(llvm::ArrayRef<Spec> specs, StringRef name) {
  const auto *found =
      llvm::find_if(specs, [&](const Spec &spec) { return spec.name == name; });
  return found == specs.end() ? nullptr : found;
}

template <typename Spec> std::string joinNames(llvm::ArrayRef<Spec> specs) {
  return llvm::join(
      llvm::map_range(specs, [](const Spec &spec) { return spec.name; }), ", ");
}

//===----------------------------------------------------------------------===//
// Walking the document
//===----------------------------------------------------------------------===//

/// Calls \p readEntry(key, node) on each entry of \p table in source order
/// and joins the errors: all are reported, table by table, each table's in
/// source order.
template <typename ReadEntry>
Error readEntries(const toml::table &table, ReadEntry readEntry) {
  std::vector<std::pair<const toml::key *, const toml::node *>> entries;
  for (const auto &[key, node] : table)
    entries.emplace_back(&key, &node);
  llvm::sort(entries, [](const auto &lhs, const auto &rhs) {
    return lhs.first->source().begin < rhs.first->source().begin;
  });
  Error errors = Error::success();
  for (const auto &[key, node] : entries)
    errors = llvm::joinErrors(std::move(errors), readEntry(*key, *node));
  return errors;
}

Error readKey(StringRef file, const TableSpec &table, const toml::key &key,
              const toml::node &value, TrainConfig &config) {
  Entry entry(file, table.name, key.str(), value);
  if (std::optional<Error> read = readRunOptionKey(entry, table.name, key.str(), config))
    return std::move(*read);
  const KeySpec *spec = findSpec(table.keys, key.str());
  if (!spec && table.name == "optimizer")
    return Error::success(); // a hyperparameter: checkOptimizerKeys
  if (!spec)
    return errorAt(file, key.source().begin,
                   "[" + table.name + "] " + key.str() +
                       ": unknown key (expected one of: " + keyNames(table) + ")");
  return spec->read(entry, config);
}

Error readTable(StringRef file, const toml::key &name, const toml::node &node,
                TrainConfig &config) {
  StringRef tableName = name.str();
  const TableSpec *spec = findSpec(llvm::ArrayRef(kTables), tableName);
  const toml::table *table = node.as_table();
  std::string tables = joinNames(llvm::ArrayRef(kTables));
  if (!spec && !table)
    return errorAt(file, name.source().begin,
                   tableName +
                       ": key outside any table (expected one of the tables: " +
                       tables + ")");
  std::string header = ("[" + tableName + "]").str();
  if (!spec)
    return errorAt(file, node.source().begin,
                   header + ": unknown table (expected one of: " + tables +
                       ")");
  if (!table)
    return errorAt(file, node.source().begin,
                   header + ": expected a table, got " + typeName(node));
  return readEntries(*table,
                     [&](const toml::key &key, const toml::node &value) {
                       return readKey(file, *spec, key, value, config);
                     });
}

/// The [optimizer] keys besides kind: the hyperparameters of that kind, in
/// its table's domains. An eta0 not given is the kind's default lr.
Error checkOptimizerKeys(StringRef file, const toml::table &root, TrainConfig &config) {
  const OptimizerKind &kind = optimizerKind(config.optimizer);
  if (!root["schedule"]["eta0"])
    config.eta0 = kind.defaultEta0;
  const toml::table *table = root["optimizer"].as_table();
  if (!table)
    return Error::success();
  return readEntries(*table, [&](const toml::key &key, const toml::node &value) -> Error {
    StringRef name(key.str());
    if (name == "kind")
      return Error::success();
    bool known = llvm::any_of(kind.hyperparameters,
                              [&](const Hyperparameter &h) { return h.key() == name; });
    if (!known) {
      llvm::SmallVector<StringRef> keys{"kind"};
      for (const Hyperparameter &h : kind.hyperparameters)
        if (!llvm::is_contained(keys, h.key()))
          keys.push_back(h.key());
      return errorAt(file, key.source().begin,
                     "[optimizer] " + name + ": unknown key for kind = " +
                         quoted(kind.name) + " (expected one of: " + llvm::join(keys, ", ") + ")");
    }
    return Entry(file, "optimizer", name, value)
        .readHyperparameters(kind, config.hyperparameters);
  });
}

/// Keys that only make sense together: idx and npy data sets name their four
/// files, the others take none of them.
Error checkDataFiles(StringRef file, const toml::table &root, const TrainConfig &config) {
  bool fileDataset = config.data.kind == "idx" || config.data.kind == "npy";
  const toml::table *data = root["data"].as_table();
  std::pair<StringLiteral, const std::string *> files[] = {
      {"train_images", &config.data.trainImages},
      {"train_labels", &config.data.trainLabels},
      {"test_images", &config.data.testImages},
      {"test_labels", &config.data.testLabels}};
  for (auto [key, value] : files) {
    if (fileDataset && value->empty())
      return makeError(file + ": error: [data] " + key + ": required when dataset = \"" +
                       config.data.kind + "\"");
    if (!fileDataset && !value->empty())
      return errorAt(file, data->get(std::string_view(key))->source().begin,
                     "[data] " + key + ": only for dataset = \"idx\" or \"npy\" (dataset is \"" +
                         config.data.kind + "\")");
  }
  return Error::success();
}

/// The training and validation splits give whole batches: a slice with both
/// ends must hold batch_size samples at least (open ones are checked by the
/// trainer, which knows the data's size).
Error checkSplitSizes(StringRef file, const toml::table &root, const TrainConfig &config) {
  static const llvm::Regex slice("^(train|test)\\[([0-9]+):([0-9]+)\\]$");
  const toml::table *data = root["data"].as_table();
  for (auto [key, split] : {std::pair<StringLiteral, const std::string *>{"train", &config.train},
                            {"validation", &config.validation}}) {
    llvm::SmallVector<StringRef, 4> parts;
    uint64_t begin = 0, end = 0;
    if (!data || !data->get(std::string_view(key)) || !slice.match(*split, &parts) ||
        parts[2].getAsInteger(10, begin) || parts[3].getAsInteger(10, end) ||
        end - begin >= uint64_t(config.batchSize))
      continue;
    return errorAt(file, data->get(std::string_view(key))->source().begin,
                   "[data] " + key + ": " + quoted(*split) + " holds " + Twine(end - begin) +
                       " samples, fewer than batch_size " + Twine(config.batchSize));
  }
  return Error::success();
}

/// Whether toml++ 3.3's whitespace test is undefined for `c`: it reaches
/// __builtin_unreachable for the code points of 3 of its 64 buckets that are
/// not whitespace (found by the config fuzzer: U+FCFF after a value, and
/// anything after an error on the same line).
bool breaksTomlxx(uint32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x3057 && c != 0x3000) ||
         (c >= 0xFB26 && c <= 0xFEFE);
}

/// What toml++ must not be given, refused by position before it reads the
/// text: a control character but tab and line breaks (TOML allows none,
/// anywhere), and the code points of breaksTomlxx, anywhere (in strings too:
/// toml++ may scan past a string's end to report an error).
Error checkTomlText(StringRef file, StringRef text) {
  uint32_t line = 1, column = 1;
  for (size_t at = 0; at < text.size(); ++at) {
    unsigned char byte = static_cast<unsigned char>(text[at]);
    uint32_t code = byte;
    if (byte >= 0xC0) { // the first byte of a UTF-8 sequence; toml++ checks the rest
      size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      code = byte & (0x7F >> length);
      for (size_t i = 1; i < length && at + i < text.size(); ++i)
        code = (code << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
    }
    bool control = (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F;
    bool continuation = (byte & 0xC0) == 0x80; // counted with its sequence's first byte
    if (control || (!continuation && breaksTomlxx(code))) {
      char name[12];
      std::snprintf(name, sizeof name, "U+%04X", code);
      return makeError(file + ":" + Twine(line) + ":" + Twine(column) + ": error: " +
                       (control ? "control character " + Twine(name) + " (not allowed in TOML)"
                                : "character " + Twine(name) +
                                      " is not supported in a config (toml++ 3.3 mishandles "
                                      "U+00A1-U+0499, U+2C5E-U+3057 and U+FB26-U+FEFE)"));
    }
    if (byte == '\n') {
      ++line;
      column = 1;
    } else if (!continuation) {
      ++column;
    }
  }
  return Error::success();
}

} // namespace

llvm::Expected<TrainConfig> marthe::parseTrainConfigText(StringRef text,
                                                         StringRef sourceName) {
  if (Error error = checkTomlText(sourceName, text))
    return std::move(error);
  toml::parse_result parsed =
      toml::parse(std::string_view(text), std::string_view(sourceName));
  if (!parsed) {
    const toml::parse_error &syntaxError = parsed.error();
    return errorAt(sourceName, syntaxError.source().begin,
                   syntaxError.description());
  }
  TrainConfig config;
  config.sourcePath = sourceName.str();
  Error errors = readEntries(
      parsed.table(), [&](const toml::key &name, const toml::node &node) {
        return readTable(sourceName, name, node, config);
      });
  if (errors)
    return errors;
  if (!parsed.table().contains("optimizer") && !parsed.table().contains("schedule"))
    applyAutomaticSetting(config);
  if (Error error = checkOptimizerKeys(sourceName, parsed.table(), config))
    return error;
  if (Error error = checkDataFiles(sourceName, parsed.table(), config))
    return error;
  if (Error error = checkSplitSizes(sourceName, parsed.table(), config))
    return error;
  return config;
}

void marthe::applyAutomaticSetting(TrainConfig &config) {
  config.optimizer = Optimizer::ScheduleFreeAdamW;
  config.eta0 = optimizerKind(config.optimizer).defaultEta0;
  config.schedule = "marthe";
  config.relative = true;
  config.beta0 = kAutomaticBeta;
  config.betaStep = 0.0;
  config.mu = kAutomaticMu;
}

TrainConfig marthe::defaultTrainConfig() {
  TrainConfig config;
  applyAutomaticSetting(config);
  return config;
}

llvm::Expected<TrainConfig> marthe::parseTrainConfig(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError(path + ": error: cannot open file");
  return parseTrainConfigText((*buffer)->getBuffer(), path);
}
