// Asio, Asio's SSL support and Beast compiled once, for EVSTORE_ASIO_SEPARATE_COMPILATION (the
// library evstore_asio, see CMakeLists.txt); every other translation unit then declares them only.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
