#include "aws/xml_leaves.hpp"

#include <string>
#include <vector>

#include "aws/xml_reader.hpp"

namespace evstore::aws {

namespace {

constexpr std::size_t max_depth = 32;

}  // namespace

xml_leaves read_xml_leaves(std::string_view xml) {
  xml::element root = xml::parse(xml, max_depth);
  xml_leaves leaves;
  // Depth first, iteratively; a parent is entered before its children, so the first of a
  // repeated path (in document order) is the one emplace keeps.
  struct pending {
    xml::element* element;
    std::string path;
  };
  std::vector<pending> stack{{&root, root.name}};
  while (!stack.empty()) {
    pending current = std::move(stack.back());
    stack.pop_back();
    if (current.element->children.empty()) {
      leaves.emplace(std::move(current.path), std::move(current.element->text));
      continue;
    }
    for (auto child = current.element->children.rbegin(); child != current.element->children.rend();
         ++child)
      stack.push_back({&*child, current.path + '/' + child->name});
  }
  return leaves;
}

}  // namespace evstore::aws
