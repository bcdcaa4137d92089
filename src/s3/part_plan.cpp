#include "s3/part_plan.hpp"

#include <algorithm>
#include <string>

#include "evstore/s3/error.hpp"
#include "evstore/s3/model.hpp"

namespace evstore::s3 {

std::uint64_t choose_part_size(std::uint64_t object_size, std::uint64_t configured) {
  if (configured < min_part_size || configured > max_part_size)
    throw boost::system::system_error(
        make_error_code(errc::invalid_argument),
        "S3 part size " + std::to_string(configured) + " is outside the 5 MiB to 5 GiB S3 allows");
  if (object_size > max_object_size)
    throw boost::system::system_error(make_error_code(errc::invalid_argument),
                                      "S3 object of " + std::to_string(object_size) +
                                          " bytes is larger than 5 TiB, the most S3 stores");
  // 5 TiB in 10,000 parts needs parts of at most 550 MB: always within max_part_size.
  const std::uint64_t needed =
      object_size / max_part_count + (object_size % max_part_count ? 1 : 0);
  return needed > configured ? needed : configured;
}

std::vector<std::string_view> split_into_parts(std::string_view body, std::uint64_t part_size) {
  if (part_size == 0)
    throw boost::system::system_error(make_error_code(errc::invalid_argument),
                                      "S3 part size is zero");
  std::vector<std::string_view> parts;
  parts.reserve(body.size() / part_size + 1);
  do {
    std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(part_size, body.size()));
    parts.push_back(body.substr(0, length));
    body.remove_prefix(length);
  } while (!body.empty());
  return parts;
}

}  // namespace evstore::s3
