// Common Asio/Beast aliases for the HTTP layer.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/verb.hpp>

namespace berth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Verb = bhttp::verb;
template <class T>
using Task = asio::awaitable<T>;
using RequestParser = bhttp::request_parser<bhttp::buffer_body>;

}  // namespace berth::http
