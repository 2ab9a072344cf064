// The HTML report in a real browser: Debian's chromium renders it headless; the test asserts no
// console message (errors, CSP violations, uncaught exceptions all log as CONSOLE) and a
// screenshot that is not one flat colour. A control page that does log proves the detector works.

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

struct Rendering {
  int exit_code = -1;
  std::string log; // chromium's stderr
  std::string png; // the screenshot's bytes
};

// Bounded by `timeout`, which kills chromium (and, with -k, its children) if it hangs.
Rendering render(const std::string& html_path, const std::string& dir) {
  const std::string png = dir + "/screenshot.png";
  const std::string log = dir + "/chromium.log";
  const std::string profile = make_temp_dir();
  const std::string command = "timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu "
                              "--disable-quic --no-first-run "
                              "--disable-background-networking --disable-component-update "
                              "--disable-sync --enable-logging=stderr --v=0 "
                              "--user-data-dir='" +
                              profile + "' --screenshot='" + png +
                              "' --window-size=1200,2000 'file://" + html_path +
                              "' >/dev/null 2>'" + log + "'";
  Rendering r;
  r.exit_code = std::system(command.c_str());
  r.log = read_text(log);
  r.png = read_text(png);
  return r;
}

std::string console_lines(const std::string& log) {
  std::string out;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
      out += line + "\n";
  }
  return out;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t distinct_colours = 0;
  double share_not_background = 0; // pixels differing from the top-left pixel
};

// A minimal PNG reader for what chromium writes: 8-bit RGB or RGBA, not interlaced.
Image decode_png(const std::string& png) {
  if (png.size() < 33 || png.compare(1, 3, "PNG") != 0) throw std::runtime_error("not a PNG");
  Image image;
  std::string idat;
  int colour_type = -1;
  for (std::size_t at = 8; at + 8 <= png.size();) {
    const std::uint32_t length = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (type == "IHDR") {
      image.width = be32(png, at + 8);
      image.height = be32(png, at + 12);
      if (png[at + 16] != 8 || png[at + 20] != 0)
        throw std::runtime_error("unsupported bit depth or interlace");
      colour_type = png[at + 17];
    } else if (type == "IDAT") {
      idat += png.substr(at + 8, length);
    }
    at += 12 + length;
  }
  const std::size_t channels = colour_type == 6 ? 4 : colour_type == 2 ? 3 : 0;
  if (channels == 0) throw std::runtime_error("unsupported colour type");
  const std::size_t stride = image.width * channels;
  std::vector<unsigned char> raw((stride + 1) * image.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()),
                 static_cast<uLong>(idat.size())) != Z_OK ||
      raw_size != raw.size()) {
    throw std::runtime_error("bad image data");
  }
  // Undo the per-row filters (PNG spec, section 9).
  std::vector<unsigned char> pixels(stride * image.height);
  for (std::size_t y = 0; y < image.height; ++y) {
    const unsigned filter = raw[y * (stride + 1)];
    const unsigned char* in = &raw[y * (stride + 1) + 1];
    unsigned char* out = &pixels[y * stride];
    const unsigned char* up = y > 0 ? &pixels[(y - 1) * stride] : nullptr;
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= channels ? out[i - channels] : 0;
      const int b = up ? up[i] : 0;
      const int c = up && i >= channels ? up[i - channels] : 0;
      int predictor = 0;
      switch (filter) {
      case 0: predictor = 0; break;
      case 1: predictor = a; break;
      case 2: predictor = b; break;
      case 3: predictor = (a + b) / 2; break;
      case 4: {
        const int p = a + b - c;
        const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        break;
      }
      default: throw std::runtime_error("bad filter");
      }
      out[i] = static_cast<unsigned char>(in[i] + predictor);
    }
  }
  std::set<std::uint32_t> colours;
  std::size_t differing = 0;
  const std::size_t count = static_cast<std::size_t>(image.width) * image.height;
  auto colour_at = [&](std::size_t p) {
    return (static_cast<std::uint32_t>(pixels[p * channels]) << 16) |
           (static_cast<std::uint32_t>(pixels[p * channels + 1]) << 8) | pixels[p * channels + 2];
  };
  const std::uint32_t background = colour_at(0);
  for (std::size_t p = 0; p < count; ++p) {
    const auto colour = colour_at(p);
    if (colours.size() < 1000) colours.insert(colour);
    differing += colour != background ? 1U : 0U;
  }
  image.distinct_colours = colours.size();
  image.share_not_background = static_cast<double>(differing) / static_cast<double>(count);
  return image;
}

TEST(ReportBrowser, HtmlReportRendersWithoutConsoleMessagesAndIsNotBlank) {
  const std::string dir = make_temp_dir();
  const std::string html = dir + "/report.html";
  auto results = case_path("report", "focus_sessions") / "results.json";
  auto written = run_preflight({"report", results.string(), "--format", "html", "-o", html});
  ASSERT_EQ(written.exit_code, 0) << written.err;

  auto r = render(html, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  EXPECT_EQ(console_lines(r.log), "") << r.log;
  ASSERT_FALSE(r.png.empty()) << r.log;
  auto image = decode_png(r.png);
  EXPECT_EQ(image.width, 1200U);
  EXPECT_EQ(image.height, 2000U);
  // Text, tables, the banner and the charts: many colours and a good share of inked pixels.
  EXPECT_GT(image.distinct_colours, 20U);
  EXPECT_GT(image.share_not_background, 0.03) << image.share_not_background;
}

TEST(ReportBrowser, TheConsoleDetectorSeesAPageThatLogs) {
  const std::string dir = make_temp_dir();
  const std::string html = dir + "/control.html";
  write_file(html,
             "<!DOCTYPE html><html><body><p>control</p><script>console.error('preflight-control');"
             "notDefined();</script></body></html>");
  auto r = render(html, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  auto lines = console_lines(r.log);
  EXPECT_NE(lines.find("\"preflight-control\""), std::string::npos) << r.log;
  EXPECT_NE(lines.find("Uncaught ReferenceError: notDefined is not defined"), std::string::npos)
      << r.log;
}

TEST(ReportBrowser, TheBlankDetectorSeesAnEmptyPage) {
  const std::string dir = make_temp_dir();
  const std::string html = dir + "/blank.html";
  write_file(html, "<!DOCTYPE html><html><body></body></html>");
  auto r = render(html, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  auto image = decode_png(r.png);
  EXPECT_LE(image.distinct_colours, 2U);
  EXPECT_LT(image.share_not_background, 0.001);
}

} // namespace
