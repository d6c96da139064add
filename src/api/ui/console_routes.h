// The web console over HTTP: GET/HEAD of any path the router has no route for (and that is not
// one of the protocol prefixes, see console_site.h) is answered from the embedded files, with
// ETag/If-None-Match (304), gzip when the client accepts it, cache headers and, on HTML, the
// security headers. Public: the console is static code and holds no data; everything it shows
// comes from the authorized API. Stateless over a ConsoleSite that must outlive the router.
#pragma once
#include "api/ui/console_site.h"
#include "http/router.h"

namespace berth::api::ui {

void RegisterConsole(http::Router& router, const ConsoleSite& site);

}  // namespace berth::api::ui
