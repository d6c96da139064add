// CountAndPage: the shared shape of every paged list in the SQLite stores — a count query and a
// page query over the same WHERE clause, the page query taking LIMIT and OFFSET as its parameters
// number `limit_param` and `limit_param + 1`. Runs on the caller's connection.
#pragma once
#include <string>

#include "store/identity_records.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

template <class T, class BindWhere, class ReadRow>
Listing<T> CountAndPage(Conn& c, const std::string& count_sql, const std::string& page_sql, int limit_param,
                        Paging paging, BindWhere bind_where, ReadRow read_row) {
  Listing<T> out;
  {
    auto s = c.Prepare(count_sql.c_str());
    bind_where(s);
    if (s.Step()) out.total = s.Int(0);
  }
  auto s = c.Prepare(page_sql.c_str());
  bind_where(s);
  s.Bind(limit_param, paging.limit).Bind(limit_param + 1, paging.offset);
  while (s.Step()) out.items.push_back(read_row(s));
  return out;
}

}  // namespace berth::store::sqlite
