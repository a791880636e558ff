#include "report/svg.hpp"

#include <fmt/core.h>

#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

std::string_view anchor_name(SvgWriter::Anchor anchor) {
  switch (anchor) {
    case SvgWriter::Anchor::middle:
      return "middle";
    case SvgWriter::Anchor::end:
      return "end";
    case SvgWriter::Anchor::start:
      break;
  }
  return "start";
}

// close() ends a shape: self-closed, or holding its tooltip.
std::string close(std::string_view element, std::string_view tooltip) {
  if (tooltip.empty()) return "/>\n";
  return fmt::format("><title>{}</title></{}>\n", escape(tooltip), element);
}

}  // namespace

void SvgWriter::rect(double x, double y, double width, double height, std::string_view fill,
                     std::string_view tooltip) {
  body_ += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}")", x,
                       y, width, height, fill);
  body_ += close("rect", tooltip);
}

void SvgWriter::outline(double x, double y, double width, double height) {
  body_ += fmt::format(
      R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" class="placeholder"/>)", x, y,
      width, height);
  body_ += '\n';
}

void SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                     bool dashed, std::string_view tooltip) {
  body_ += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}"{})", x1,
                       y1, x2, y2, stroke, dashed ? R"( stroke-dasharray="4 3")" : "");
  body_ += close("line", tooltip);
}

void SvgWriter::diamond(double x, double y, double r, std::string_view fill,
                        std::string_view tooltip) {
  body_ += fmt::format(
      R"(<path d="M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z" fill="{}" class="marker")",
      x, y - r, x + r, y, x, y + r, x - r, y, fill);
  body_ += close("path", tooltip);
}

void SvgWriter::text(double x, double y, std::string_view text, Anchor anchor,
                     std::string_view css_class, std::string_view tooltip) {
  body_ +=
      fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="{}")", x, y, anchor_name(anchor));
  if (!css_class.empty()) body_ += fmt::format(R"( class="{}")", css_class);
  body_ += fmt::format(">{}", escape(text));
  if (!tooltip.empty()) body_ += fmt::format("<title>{}</title>", escape(tooltip));
  body_ += "</text>\n";
}

std::string SvgWriter::svg(std::string_view id, std::string_view label, double width,
                           double height) const {
  return fmt::format(
      R"(<svg class="chart" id="{}" role="img" aria-label="{}" viewBox="0 0 {:.0f} {:.0f}" width="{:.0f}" height="{:.0f}">)"
      "\n{}</svg>\n",
      id, escape(label), width, height, width, height, body_);
}

std::string shorten(std::string_view text, std::size_t max) {
  std::size_t characters = 0;
  std::size_t cut = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A UTF-8 continuation byte (10xxxxxx) does not start a character.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (characters + 1 == max) cut = i;
    ++characters;
  }
  if (characters <= max) return std::string(text);
  return std::string(text.substr(0, cut)) + "…";
}

}  // namespace switchyard::report_tool
