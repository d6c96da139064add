#include "http/query.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

namespace berth::http {

Query Query::Parse(std::string_view raw) {
  Query q;
  auto parsed = boost::urls::parse_query(raw);
  if (!parsed) return q;
  for (auto p : boost::urls::params_view(*parsed)) q.pairs_.emplace_back(p.key, p.has_value ? p.value : "");
  return q;
}

std::optional<std::string> Query::Get(std::string_view key) const {
  for (const auto& [k, v] : pairs_)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  auto pct = boost::urls::make_pct_string_view(s);
  if (!pct) return std::nullopt;
  std::string out;
  out.reserve(pct->decoded_size());
  for (char c : pct->decode()) out.push_back(c);
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace berth::http
