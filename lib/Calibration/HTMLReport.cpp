//===- HTMLReport.cpp - The per-layer quantization report as one page -----===//
//
// Part of qopt. One self-contained file: inline CSS and SVG, no script, no
// network access, so it opens anywhere and can be attached to a bug.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Support/OutputFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace llvm;

namespace {

std::string escape(StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string dbText(double db) {
  return std::isinf(db) ? "exact" : formatv("{0:F1} dB", db).str();
}

/// Green above 30 dB, amber above 15, red below.
StringRef dbColor(double db) {
  return db >= 30 ? "#2e7d32" : db >= 15 ? "#ef8f00" : "#c62828";
}

/// The activation histogram: bars over [histLo, histHi] (square-root
/// heights, so sparse tails stay visible), the clipping range shaded, the
/// values it clips counted.
void histogramSVG(raw_ostream &os, const qopt::LayerSQNR &l) {
  const int w = 420, h = 120, pad = 4;
  int64_t peak = 1;
  for (int64_t c : l.histogram)
    peak = std::max(peak, c);
  double span = l.histHi - l.histLo;
  auto xOf = [&](double v) { return pad + (v - l.histLo) / span * (w - 2 * pad); };
  os << "<svg class=\"hist\" width=\"" << w << "\" height=\"" << h + 18
     << "\" viewBox=\"0 0 " << w << " " << h + 18 << "\" role=\"img\">"
     << "<title>activation histogram</title>";
  double x0 = xOf(l.clipLo), x1 = xOf(l.clipHi);
  os << formatv("<rect x=\"{0:F1}\" y=\"0\" width=\"{1:F1}\" height=\"{2}\" "
                "fill=\"#e3f2fd\"/>",
                x0, x1 - x0, h);
  double bw = (double)(w - 2 * pad) / l.histogram.size();
  for (size_t i = 0; i < l.histogram.size(); ++i) {
    if (!l.histogram[i])
      continue;
    double bh = std::sqrt((double)l.histogram[i] / peak) * (h - 4);
    double center = l.histLo + (i + 0.5) * span / l.histogram.size();
    bool clipped = center < l.clipLo || center > l.clipHi;
    os << formatv("<rect x=\"{0:F1}\" y=\"{1:F1}\" width=\"{2:F1}\" "
                  "height=\"{3:F1}\" fill=\"{4}\"/>",
                  pad + i * bw, h - bh, std::max(1.0, bw - 1), bh,
                  clipped ? "#c62828" : "#1565c0");
  }
  for (double x : {x0, x1})
    os << formatv("<line x1=\"{0:F1}\" x2=\"{0:F1}\" y1=\"0\" y2=\"{1}\" "
                  "stroke=\"#0d47a1\" stroke-dasharray=\"3,2\"/>",
                  x, h);
  os << formatv("<text x=\"{0:F1}\" y=\"{1}\" font-size=\"10\" "
                "text-anchor=\"middle\">{2:G4}</text>",
                x0, h + 12, l.clipLo)
     << formatv("<text x=\"{0:F1}\" y=\"{1}\" font-size=\"10\" "
                "text-anchor=\"middle\">{2:G4}</text>",
                x1, h + 12, l.clipHi)
     << "</svg>";
}

/// Max |w| per output channel: how unevenly the channels use the range
/// (per-tensor weights would give the small ones few levels).
void channelSVG(raw_ostream &os, const qopt::LayerSQNR &l) {
  const int w = 420, h = 60;
  double peak = *std::max_element(l.channelRanges.begin(), l.channelRanges.end());
  if (peak <= 0)
    peak = 1;
  double bw = (double)w / l.channelRanges.size();
  os << "<svg class=\"channels\" width=\"" << w << "\" height=\"" << h
     << "\" viewBox=\"0 0 " << w << " " << h << "\" role=\"img\">"
     << "<title>weight range per channel</title>";
  for (size_t i = 0; i < l.channelRanges.size(); ++i) {
    double bh = l.channelRanges[i] / peak * (h - 2);
    os << formatv("<rect x=\"{0:F2}\" y=\"{1:F1}\" width=\"{2:F2}\" "
                  "height=\"{3:F1}\" fill=\"#6a1b9a\"/>",
                  i * bw, h - bh, std::max(0.5, bw - 0.5), bh);
  }
  os << "</svg>";
}

} // namespace

Error qopt::writeHTMLReport(StringRef path, StringRef title,
                            ArrayRef<LayerSQNR> layers,
                            ArrayRef<std::string> summary) {
  return qopt::writeOutputFile(path, [&](raw_ostream &os) -> Error {
  std::vector<size_t> quantized, order;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].op != "-")
      quantized.push_back(i);
  order = quantized;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return layers[a].sqnrDb() < layers[b].sqnrDb();
  });
  int64_t floatBytes = 0, quantBytes = 0;
  for (const LayerSQNR &l : layers) {
    floatBytes += 4 * l.weightElements;
    quantBytes += (l.weightElements * l.weightBits + 7) / 8;
  }

  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
     << "<title>qopt quantization report: " << escape(title) << "</title>"
     << "<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222;"
        "max-width:1100px}h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
        "table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:"
        "1px solid #ddd;text-align:left}td.n{text-align:right;font-variant:"
        "tabular-nums}.layer{border:1px solid #ddd;border-radius:6px;padding:"
        "10px 14px;margin:12px 0}.layer h3{margin:0 0 6px;font-size:15px;"
        "word-break:break-all}.facts{color:#555}.charts{display:flex;gap:24px;"
        "flex-wrap:wrap}.cap{font-size:12px;color:#555}</style></head><body>\n";
  os << "<h1>Quantization report: " << escape(title) << "</h1>\n<ul id=\"summary\">";
  for (const std::string &line : summary)
    os << "<li>" << escape(line) << "</li>";
  os << "<li>" << quantized.size() << " quantized layers";
  if (!order.empty())
    os << "; worst: <a href=\"#layer-" << order.front() << "\">"
       << escape(layers[order.front()].name) << "</a> ("
       << dbText(layers[order.front()].sqnrDb()) << ")";
  os << "</li>";
  if (floatBytes)
    os << formatv("<li>weights: {0} bytes float, {1} bytes quantized "
                  "({2:F2}x smaller)</li>",
                  floatBytes, quantBytes,
                  (double)floatBytes / std::max<int64_t>(1, quantBytes));
  for (const LayerSQNR &l : layers)
    if (l.op == "-")
      os << "<li>" << escape(l.name) << ": SQNR " << dbText(l.sqnrDb())
         << ", max |err| " << formatv("{0:G4}", l.maxAbsError) << "</li>";
  os << "</ul>\n";

  os << "<h2>Layers by SQNR (worst first)</h2>\n<table id=\"ranking\">"
        "<tr><th>#</th><th>layer</th><th>op</th><th>SQNR</th><th></th>"
        "<th>clipped</th><th>time</th></tr>\n";
  for (auto [rank, i] : llvm::enumerate(order)) {
    const LayerSQNR &l = layers[i];
    double db = l.sqnrDb();
    double bar = std::isinf(db) ? 160 : std::clamp(db, 0.0, 60.0) / 60 * 160;
    double clipped = l.elements ? 100.0 * (l.below + l.above) / l.elements : 0;
    os << "<tr><td class=\"n\">" << rank + 1 << "</td><td><a href=\"#layer-"
       << i << "\">" << escape(l.name) << "</a></td><td>" << escape(l.op)
       << "</td><td class=\"n\">" << dbText(db) << "</td><td><svg width=\"160\""
       << " height=\"10\"><rect width=\"" << formatv("{0:F1}", bar)
       << "\" height=\"10\" fill=\"" << dbColor(db) << "\"/></svg></td>"
       << "<td class=\"n\">" << formatv("{0:F2}%", clipped) << "</td><td "
       << "class=\"n\">"
       << (l.ms >= 0 ? formatv("{0:F3} ms", l.ms).str() : std::string())
       << "</td></tr>\n";
  }
  os << "</table>\n<h2>Layers in model order</h2>\n";
  for (size_t i : quantized) {
    const LayerSQNR &l = layers[i];
    os << "<div class=\"layer\" id=\"layer-" << i << "\"><h3>" << escape(l.name)
       << "</h3><div class=\"facts\">" << escape(l.op)
       << " &middot; SQNR <b style=\"color:" << dbColor(l.sqnrDb()) << "\">"
       << dbText(l.sqnrDb()) << "</b> (cumulative)"
       << (std::isnan(l.ownSqnrDb())
               ? std::string()
               : " &middot; own error " + dbText(l.ownSqnrDb()) +
                     " (its float values quantized with its own range)")
       << " &middot; max |err| " << formatv("{0:G4}", l.maxAbsError)
       << " &middot; " << l.elements << " values";
    if (!l.method.empty())
      os << " &middot; calibration: " << escape(l.method);
    if (l.hasRange)
      os << formatv(" &middot; range [{0:G4}, {1:G4}], clipped {2} below, "
                    "{3} above",
                    l.clipLo, l.clipHi, l.below, l.above);
    if (l.ms >= 0)
      os << formatv(" &middot; time {0:F3} ms", l.ms)
         << (l.gops > 0 ? formatv(" ({0:F1} GOP/s)", l.gops).str() : "");
    if (l.weightElements)
      os << formatv(" &middot; weights {0} B float &rarr; {1} B ({2}-bit)",
                    4 * l.weightElements,
                    (l.weightElements * l.weightBits + 7) / 8, l.weightBits);
    os << "</div><div class=\"charts\">";
    if (l.hasRange && !l.histogram.empty()) {
      os << "<figure>";
      histogramSVG(os, l);
      os << "<figcaption class=\"cap\">float activations (sqrt scale); "
            "shaded: the quantized range; red: clipped</figcaption></figure>";
    }
    if (!l.channelRanges.empty()) {
      auto [lo, hi] = std::minmax_element(l.channelRanges.begin(),
                                          l.channelRanges.end());
      os << "<figure>";
      channelSVG(os, l);
      os << formatv("<figcaption class=\"cap\">weight max |w| per channel "
                    "({0} channels, {1:G3} .. {2:G3})</figcaption></figure>",
                    l.channelRanges.size(), *lo, *hi);
    }
    os << "</div></div>\n";
  }
  os << "<p class=\"cap\">qopt; SQNR = 10 log10(sum x^2 / sum (x - x_q)^2) "
        "of each quantized layer's output against the float model on the "
        "same data.</p></body></html>\n";
  return Error::success();
  });
}
