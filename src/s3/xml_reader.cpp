#include "s3/xml_reader.hpp"

#include <string>

#include "evstore/s3/error.hpp"

namespace evstore::s3::xml {

element parse(std::string_view document) {
  try {
    return aws::xml::parse(document, max_depth);
  } catch (const aws::xml::malformed_xml_error& e) {
    throw boost::system::system_error(
        make_error_code(errc::malformed_xml),
        "S3 response XML is malformed at byte " + std::to_string(e.offset()) + ": " + e.reason());
  }
}

const std::string& required_text(const element& parent, std::string_view child_name) {
  if (const element* child = parent.find(child_name)) return child->text;
  throw boost::system::system_error(make_error_code(errc::unexpected_response),
                                    "S3 response element <" + parent.name + "> lacks the <" +
                                        std::string(child_name) + "> element");
}

}  // namespace evstore::s3::xml
