// SvgWriter: one chart's inline <svg> element, built shape by shape. Every text it is given is
// escaped here, so chart code can pass strings from the report as they are.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::report_tool {

class SvgWriter {
 public:
  enum class Anchor { start, middle, end };

  // rect() draws a filled rectangle; a non-empty `tooltip` becomes its SVG <title>.
  void rect(double x, double y, double width, double height, std::string_view fill,
            std::string_view tooltip = {});
  // outline() draws an unfilled, dashed rectangle (a placeholder for missing data).
  void outline(double x, double y, double width, double height);
  // line() draws a line; `dashed` for a reference line rather than an axis.
  void line(double x1, double y1, double x2, double y2, std::string_view stroke,
            bool dashed = false, std::string_view tooltip = {});
  // diamond() draws a marker of half-width `r` centred on (x, y).
  void diamond(double x, double y, double r, std::string_view fill, std::string_view tooltip);
  // text() writes one line of text with its baseline at y; `css_class` picks a style of the
  // page's stylesheet (label, small, note, inbar).
  void text(double x, double y, std::string_view text, Anchor anchor = Anchor::start,
            std::string_view css_class = {}, std::string_view tooltip = {});

  // svg() is the finished element: `id` for the page's self-check, `label` for screen
  // readers, and a viewBox of width × height that scales with the page.
  std::string svg(std::string_view id, std::string_view label, double width, double height) const;

 private:
  std::string body_;
};

// shorten() cuts a text to at most `max` (1 or more) characters, counted in UTF-8, ending in
// "…" when cut: chart labels have a fixed width.
std::string shorten(std::string_view text, std::size_t max);

}  // namespace switchyard::report_tool
