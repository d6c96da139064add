#include "webhook/go_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace berth::webhook {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i] (2–4), or 0 if it is invalid — the same
// acceptance as Go's utf8.DecodeRuneInString (no overlongs, no surrogates, nothing above U+10FFFF).
size_t ValidUtf8Len(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> int { return k < s.size() ? static_cast<unsigned char>(s[k]) : -1; };
  int c = at(i);
  auto cont = [&](size_t k, int lo = 0x80, int hi = 0xBF) {
    int b = at(k);
    return b >= lo && b <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    int lo = c == 0xE0 ? 0xA0 : 0x80;
    int hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    int lo = c == 0xF0 ? 0x90 : 0x80;
    int hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void AppendU(std::string& out, unsigned v) {
  out += "\\u";
  out += kHex[(v >> 12) & 0xF];
  out += kHex[(v >> 8) & 0xF];
  out += kHex[(v >> 4) & 0xF];
  out += kHex[v & 0xF];
}

void AppendDouble(std::string& out, double f) {
  if (!std::isfinite(f)) {
    out += "null";
    return;
  }
  double a = std::fabs(f);
  bool sci = a != 0 && (a < 1e-6 || a >= 1e21);
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f,
                                 sci ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (sci) {
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  out += s;
}

struct Style {
  bool pretty;
  std::string_view indent;
  bool escape_html;
};

void Write(std::string& out, const nlohmann::ordered_json& v, const Style& st, int depth) {
  using T = nlohmann::ordered_json::value_t;
  auto newline = [&](int d) {
    out += '\n';
    for (int i = 0; i < d; ++i) out += st.indent;
  };
  switch (v.type()) {
    case T::null:
    case T::discarded:
      out += "null";
      return;
    case T::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case T::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case T::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case T::number_float:
      AppendDouble(out, v.get<double>());
      return;
    case T::string:
      AppendGoString(out, v.get_ref<const std::string&>(), st.escape_html);
      return;
    case T::binary:
      out += "null";
      return;
    case T::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (st.pretty) newline(depth + 1);
        Write(out, e, st, depth + 1);
      }
      if (st.pretty) newline(depth);
      out += ']';
      return;
    }
    case T::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ',';
        first = false;
        if (st.pretty) newline(depth + 1);
        AppendGoString(out, k, st.escape_html);
        out += st.pretty ? ": " : ":";
        Write(out, e, st, depth + 1);
      }
      if (st.pretty) newline(depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

void AppendGoString(std::string& out, std::string_view s, bool escape_html) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
            AppendU(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    size_t n = ValidUtf8Len(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 (E2 80 A8) and U+2029 (E2 80 A9) break JavaScript string literals; Go escapes them.
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      AppendU(out, 0x2028 | (static_cast<unsigned char>(s[i + 2]) & 1));
    } else {
      out.append(s.data() + i, n);
    }
    i += n;
  }
  out += '"';
}

std::string GoMarshal(const nlohmann::ordered_json& v, bool escape_html) {
  std::string out;
  Write(out, v, Style{false, {}, escape_html}, 0);
  return out;
}

std::string GoMarshalIndent(const nlohmann::ordered_json& v, std::string_view indent,
                            bool escape_html) {
  std::string out;
  Write(out, v, Style{true, indent, escape_html}, 0);
  return out;
}

}  // namespace berth::webhook
