// qonto_webhooks::diagnose with the CLI's arguments and output (see diagnose_cli.c).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "qonto_webhooks.hpp"

namespace qw = qonto_webhooks;

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<qw::Secret> secrets;
  qw::Scheme scheme = qw::Scheme::business;
  std::string header, file;
  std::uint64_t now = 0, tolerance = qw::default_tolerance;
  bool no_tolerance = false;
  for (std::size_t i = 0; i < args.size(); i++) {
    const std::string &a = args[i];
    bool has_value = i + 1 < args.size();
    if (a == "--scheme" && has_value) {
      scheme = args[++i] == "onboarding" ? qw::Scheme::onboarding : qw::Scheme::business;
    } else if (a == "--secret" && has_value) {
      secrets.emplace_back(std::string_view(args[++i]));
    } else if (a == "--header" && has_value) {
      header = args[++i];
    } else if (a == "--now" && has_value) {
      now = std::stoull(args[++i]);
    } else if (a == "--tolerance" && has_value) {
      tolerance = std::stoull(args[++i]);
    } else if (a == "--no-tolerance") {
      no_tolerance = true;
    } else {
      file = a;
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "usage: diagnose_cli_cpp --secret S --header H --now UNIX FILE\n";
    return 2;
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  qw::Diagnosis d = no_tolerance ? qw::diagnose(secrets, scheme, header, body, now, qw::no_tolerance)
                                 : qw::diagnose(secrets, scheme, header, body, now, tolerance);
  if (d.ok()) {
    std::printf("ok secret=%zu: it verifies, nothing to diagnose\n", d.verified->secret_index);
    return 0;
  }
  std::printf("error[%s]: %s\n", d.code(), d.message.c_str());
  if (d.findings.empty()) {
    std::printf("no known mistake applies: the error above says what is wrong with the header\n");
  }
  const char *label = d.explained ? "cause" : "no known mistake";
  for (const qw::Finding &f : d.findings) {
    std::printf("%s [%s]: %s\n", label, f.mistake.c_str(), f.message.c_str());
  }
  return 1;
}
