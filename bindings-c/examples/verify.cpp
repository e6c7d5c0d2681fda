// Verifying Qonto webhooks from C++17 with include/qonto_webhooks.hpp: a freshly signed event,
// an onboarding event, a key rotation, then rejects caught as qonto_webhooks::Error.
//
//   cargo build --release -p qonto-webhooks-clib
//   g++ -std=c++17 -Iinclude bindings-c/examples/verify.cpp -Ltarget/release
//       -l:libqonto_webhooks.a -lpthread -ldl -lm -o verify && ./verify
#include <cstdint>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

// snippet:start readme (the root README's C++ block: these two lines, then readme_example's body)
// snippet:start request
#include "qonto_webhooks.hpp"
namespace qw = qonto_webhooks;
// snippet:end request
// snippet:end readme

// What the README's block answers, for main to check.
static int answered = 0;
static void respond(int status, std::string_view code) {
  answered = status;
  std::cout << "  README block: " << status << " " << code << "\n";
}

// The root README's C++ block, as shown there.
static void readme_example(const std::string &new_secret, const std::string &old_secret,
                           std::string_view body, std::string_view header) {
  // snippet:start readme

  const auto verifier = qw::Verifier::with_secrets({new_secret, old_secret});  // RAII, move-only
  try {
    qw::Verified v = verifier.verify(body, header);          // std::string_view, system clock
    respond(204, v.secret_index == 0 ? "new secret" : "old secret");
  } catch (const qw::Error &e) {
    respond(400, e.code());                                  // e.what(): the detailed message
  }
  // snippet:end readme
}

// bindings-c/README.md's C++ block, as shown there: a request's two possible headers
// (std::nullopt when absent) through a business-only verifier.
static void request_example(const std::string &secret, const std::string &new_secret,
                            const std::string &old_secret, const std::string &onboarding_secret,
                            std::string_view body,
                            std::optional<std::string_view> business_header,
                            std::optional<std::string_view> onboarding_header) {
  // snippet:start request (the two lines at the top of this file, then these)

  qw::Verifier verifier{secret};                                 // 300 s window, business only
  auto rotating = qw::Verifier::with_secrets({new_secret, old_secret});   // rotation
  qw::Verifier onboarding{onboarding_secret};
  onboarding.set_schemes(qw::Schemes::onboarding);               // before sharing it
  try {
    qw::Verified v = verifier.verify_request(body, business_header, onboarding_header);
    // std::optional<std::string_view> headers (std::nullopt: absent), system clock;
    // v.secret_index, v.scheme, *v.timestamp
    respond(200, v.scheme == qw::Scheme::business ? "business" : "onboarding");
  } catch (const qw::Error &e) {
    respond(400, e.code());                                      // e.what(): the detailed message
  }
  // snippet:end request
}

int main() {
  std::cout << "C++ (qonto_webhooks.hpp " << qw::version() << ")\n";
  const std::string secret = "whsec_public_example_secret_0123456789abcdef";
  const std::string body = R"({"id":"0196","type":"v1/cards","data":{"event":"cards.created"}})";
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  const std::string header = qw::sign(secret, body, now);  // what Qonto would send

  // The README's block: signed with the old secret, then tampered.
  readme_example("whsec_new_secret_not_yet_in_use", secret, body, header);
  if (answered != 204) return 1;
  readme_example("whsec_new_secret_not_yet_in_use", secret, body + " ", header);
  if (answered != 400) return 1;
  // The package README's request block: the business header verifies; the onboarding header
  // alone is refused by the business-only verifier.
  request_example(secret, "whsec_new", secret, "onboarding_secret", body, header, std::nullopt);
  if (answered != 200) return 1;
  request_example(secret, "whsec_new", secret, "onboarding_secret", body, std::nullopt,
                  qw::sign_onboarding(secret, body));
  if (answered != 400) return 1;

  // Rotation: the new secret first, the old one until Qonto has switched.
  const qw::Verifier verifier =
      qw::Verifier::with_secrets({"whsec_new_secret_not_yet_in_use", secret});
  const qw::Verified ok = verifier.verify(body, header);  // system clock, 300 s window
  std::cout << "  accept  signed event           secret #" << ok.secret_index
            << ", t=" << *ok.timestamp << "\n";

  const std::string onboarding_body = R"({"id":"75","event_type":"registrations.pending"})";
  const qw::Verified ob =
      verifier.verify_onboarding(onboarding_body, qw::sign_onboarding(secret, onboarding_body));
  std::cout << "  accept  onboarding event       secret #" << ob.secret_index
            << " (no timestamp: " << (ob.timestamp ? "?" : "none") << ")\n";

  const struct {
    const char *label;
    std::string body, header;
    std::uint64_t now;
  } rejects[] = {
      {"tampered body", body + " ", header, now},
      {"replayed 10 min later", body, header, now + 600},
      {"header without v1", body, "t=" + std::to_string(now), now},
  };
  // A request as it arrives: the endpoint accepts business webhooks only (the default), so a
  // business webhook resent as an onboarding one (its v1 over the body "<t>.<body>") is refused.
  try {
    verifier.verify_request(std::to_string(now) + "." + body, std::nullopt, header.substr(16));
    std::cout << "  accept  reframed as onboarding (unexpected!)\n";
    return 1;
  } catch (const qw::Error &e) {
    std::cout << "  reject  reframed as onboarding  " << e.code() << ": "
              << std::string(e.what()).substr(0, 80) << "...\n";
  }
  for (const auto &r : rejects) {
    try {
      verifier.verify(r.body, r.header, r.now);
      std::cout << "  accept  " << r.label << " (unexpected!)\n";
      return 1;
    } catch (const qw::Error &e) {
      std::cout << "  reject  " << r.label << std::string(23 - std::string(r.label).size(), ' ')
                << e.code() << ": " << std::string(e.what()).substr(0, 80) << "...\n";
    }
  }
  return 0;
}
