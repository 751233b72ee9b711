//===- HTMLReportFuzzer.cpp - Fuzz the HTML report with hostile names -----===//
//
// Part of qopt. Input: NUL-separated strings; the first is the page title,
// the others alternate layer names and op names (model-controlled text).
// Whatever they hold, the page's markup is the report's own: every `<`
// opens or closes one of the tags the report writes, and no `<` or `&`
// from a name survives unescaped (an `&` starts an entity).
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/LayerSQNR.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

static bool isReportTag(llvm::StringRef tag) {
  static const char *const tags[] = {
      "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2",
      "h3", "ul", "li", "a", "b", "p", "div", "table", "tr", "td", "th",
      "figure", "figcaption", "svg", "rect", "line", "text"};
  return llvm::is_contained(tags, tag);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(reinterpret_cast<const char *>(data), size)
      .split(parts, '\0');
  if (parts.size() > 33)
    parts.resize(33);
  std::vector<qopt::LayerSQNR> layers;
  for (size_t i = 1; i + 1 < parts.size(); i += 2) {
    qopt::LayerSQNR l;
    l.name = parts[i].str();
    l.op = parts[i + 1].str();
    l.method = parts[i + 1].str();
    l.elements = 16;
    l.signal = 1.0 + i;
    l.noise = 0.01 * i;
    l.hasRange = true;
    l.clipLo = -1;
    l.clipHi = 1;
    l.histLo = -1.5;
    l.histHi = 1.5;
    l.histogram = {1, 2, 3, 4};
    l.channelRanges = {0.5, 1.0};
    l.weightElements = 8;
    l.weightBits = 8;
    layers.push_back(std::move(l));
  }
  static std::string path = [] {
    llvm::SmallString<128> p;
    (void)llvm::sys::fs::createTemporaryFile("qopt-fuzz", "html", p);
    return std::string(p);
  }();
  if (llvm::Error e = qopt::writeHTMLReport(path, parts[0], layers,
                                            {parts.back().str()})) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return 0;
  llvm::StringRef page = (*buf)->getBuffer();
  for (size_t i = page.find('<'); i != llvm::StringRef::npos;
       i = page.find('<', i + 1)) {
    llvm::StringRef rest = page.drop_front(i + 1);
    rest.consume_front("/");
    size_t end = rest.find_first_of(" >\n");
    if (!isReportTag(rest.take_front(end)))
      __builtin_trap();
  }
  for (size_t i = page.find('&'); i != llvm::StringRef::npos;
       i = page.find('&', i + 1)) {
    llvm::StringRef rest = page.drop_front(i + 1);
    size_t semi = rest.find(';');
    if (semi == llvm::StringRef::npos || semi > 8 ||
        !llvm::all_of(rest.take_front(semi),
                      [](char c) { return llvm::isAlnum(c) || c == '#'; }))
      __builtin_trap();
  }
  return 0;
}
