// The C++ wrapper's test: every shared vector through the wrapper (one-shot and incremental),
// every request-level case (the configured schemes pick the header), the constructors (`{secret, 0}`
// is one secret with a 0-second window), the exceptions and their codes, moves, and signing.
// test_vectors.h is generated at build time from testkit/vectors/vectors.json and requests.json.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "qonto_webhooks.hpp"
#include "test_vectors.h"

namespace qw = qonto_webhooks;

static int checks = 0;
static int failures = 0;

#define CHECK(cond, what)                                                                    \
  do {                                                                                       \
    checks++;                                                                                \
    if (!(cond)) {                                                                           \
      failures++;                                                                            \
      std::fprintf(stderr, "FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, #cond,                \
                   std::string(what).c_str());                                               \
    }                                                                                        \
  } while (0)

static std::string_view view(const tv_bytes &b) { return std::string_view(b.data, b.len); }

// "ok" or the code of the exception, and the index when ok.
static std::pair<std::string, std::size_t> run(const test_vector &v, std::size_t chunk) {
  try {
    std::vector<std::string> secrets;
    for (std::size_t i = 0; i < v.secrets_len; i++) secrets.emplace_back(view(v.secrets[i]));
    qw::Verifier verifier = v.has_tolerance ? qw::Verifier::with_secrets(secrets, v.tolerance)
                                            : qw::Verifier::with_secrets(secrets, qw::no_tolerance);
    std::string_view body = view(v.body), header = view(v.header);
    qw::Verified verified{};
    if (chunk == 0) {
      verified = v.onboarding ? verifier.verify_onboarding(body, header)
                              : verifier.verify(body, header, v.now);
    } else {
      qw::Incremental state =
          v.onboarding ? verifier.start_onboarding(header) : verifier.start(header, v.now);
      for (std::size_t at = 0; at < body.size(); at += chunk) state.update(body.substr(at, chunk));
      verified = std::move(state).finish();
    }
    CHECK(verified.timestamp.has_value() == !v.onboarding, v.name);
    CHECK(verified.scheme == (v.onboarding ? qw::Scheme::onboarding : qw::Scheme::business),
          v.name);
    return {"ok", verified.secret_index};
  } catch (const qw::Error &e) {
    CHECK(std::string_view(e.what()).size() > 10, std::string(v.name) + ": empty message");
    CHECK(std::string_view(e.code()) == qw_status_code(e.status()), v.name);
    return {e.code(), 0};
  }
}

static void test_vectors() {
  for (std::size_t i = 0; i < TEST_VECTORS_LEN; i++) {
    const test_vector &v = TEST_VECTORS[i];
    for (std::size_t chunk : {0, 1, 13}) {
      auto [got, index] = run(v, chunk);
      CHECK(got == v.expect, std::string(v.name) + ": got " + got + ", expected " + v.expect);
      if (got == "ok" && std::string_view(v.expect) == "ok") {
        CHECK(index == v.secret_index, v.name);
      }
    }
  }
  std::printf("  %zu vectors x 3 paths\n", TEST_VECTORS_LEN);
}

static std::optional<std::string_view> header_of(bool present, const tv_bytes &b) {
  return present ? std::optional<std::string_view>(view(b)) : std::nullopt;
}

static qw::Schemes schemes_named(std::string_view name) {
  if (name == "onboarding") return qw::Schemes::onboarding;
  if (name == "both") return qw::Schemes::both;
  return qw::Schemes::business;
}

// A request-level case through verify_request (chunk 0) or start_request. Business-only cases
// leave the schemes at their default on the one-shot path.
static std::string run_request(const request_case &c, std::size_t chunk, qw::Verified &out) {
  try {
    std::vector<std::string_view> secrets;
    for (std::size_t i = 0; i < c.secrets_len; i++) secrets.push_back(view(c.secrets[i]));
    qw::Verifier verifier = c.has_tolerance ? qw::Verifier::with_secrets(secrets, c.tolerance)
                                            : qw::Verifier::with_secrets(secrets, qw::no_tolerance);
    if (chunk != 0 || std::string_view(c.schemes) != "business") {
      verifier.set_schemes(schemes_named(c.schemes));
    }
    auto business = header_of(c.has_business, c.business);
    auto onboarding = header_of(c.has_onboarding, c.onboarding);
    std::string_view body = view(c.body);
    if (chunk == 0) {
      out = verifier.verify_request(body, business, onboarding, c.now);
    } else {
      qw::Incremental state = verifier.start_request(business, onboarding, c.now);
      for (std::size_t at = 0; at < body.size(); at += chunk) state.update(body.substr(at, chunk));
      out = std::move(state).finish();
    }
    return "ok";
  } catch (const qw::Error &e) {
    if (c.message_contains != nullptr) {
      CHECK(std::string_view(e.what()).find(c.message_contains) != std::string_view::npos,
            std::string(c.name) + ": " + e.what());
    }
    return e.code();
  }
}

static void test_requests() {
  for (std::size_t i = 0; i < REQUEST_CASES_LEN; i++) {
    const request_case &c = REQUEST_CASES[i];
    for (std::size_t chunk : {0, 1, 13}) {
      qw::Verified out{};
      std::string got = run_request(c, chunk, out);
      CHECK(got == c.expect, std::string(c.name) + ": got " + got + ", expected " + c.expect);
      if (got == "ok" && std::string_view(c.expect) == "ok") {
        bool onboarding = std::string_view(c.scheme) == "onboarding";
        CHECK(out.secret_index == c.secret_index, c.name);
        CHECK(out.scheme == (onboarding ? qw::Scheme::onboarding : qw::Scheme::business), c.name);
        CHECK(out.timestamp.has_value() == !onboarding, c.name);
      }
    }
  }
  std::printf("  %zu request cases x 3 paths\n", REQUEST_CASES_LEN);
}

static const std::string_view kSecret = "test-secret";
static const std::string_view kBody = "{\"test\":\"data\"}";
static const std::string_view kHeader =
    "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
static const std::uint64_t kNow = 1704110400;

template <class F>
static std::string code_of(F f) {
  try {
    f();
    return "ok";
  } catch (const qw::Error &e) {
    return e.code();
  }
}

static void test_exceptions() {
  qw::Verifier verifier(kSecret);
  try {
    verifier.verify(kBody, kHeader, kNow + 301);
    CHECK(false, "no exception");
  } catch (const qw::Error &e) {
    CHECK(e.status() == QW_STATUS_TIMESTAMP_TOO_OLD, e.code());
    CHECK(std::string_view(e.code()) == "timestamp_too_old", e.code());
    CHECK(std::string_view(e.what()).find("301 s old") != std::string_view::npos, e.what());
  }
  // Error is a std::runtime_error.
  CHECK(code_of([&] {
          try {
            verifier.verify("{}", kHeader, kNow);
          } catch (const std::runtime_error &) {
            throw;
          }
        }) == "signature_mismatch",
        "runtime_error");
  CHECK(code_of([] { qw::Verifier v(""); }) == "invalid_secret", "empty secret");
  CHECK(code_of([] { qw::Verifier::with_secrets(std::vector<std::string>{}); }) ==
            "invalid_secret",
        "no secret");
  CHECK(code_of([&] { verifier.verify(kBody, "", kNow); }) == "missing_header", "missing");
  CHECK(code_of([&] { verifier.verify_onboarding(kBody, "sha256=x"); }) == "malformed_header",
        "onboarding malformed");
  CHECK(code_of([&] { verifier.start("t=1", kNow); }) == "missing_signature", "start");
  CHECK(code_of([] { qw::sign("", "body", 1); }) == "invalid_secret", "sign empty secret");
  // System clock: the official 2024 header is stale, a fresh signature is not.
  CHECK(code_of([&] { verifier.verify(kBody, kHeader); }) == "timestamp_too_old", "clock");
  std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
  CHECK(verifier.verify(kBody, qw::sign(kSecret, kBody, now)).timestamp == now, "fresh");
  qw::Incremental fresh = verifier.start(qw::sign(kSecret, kBody, now));
  fresh.update(kBody);
  CHECK(std::move(fresh).finish().secret_index == 0, "fresh incremental");
  // Rotation and a disabled window.
  qw::Verifier rotating = qw::Verifier::with_secrets({"new-secret", kSecret}, qw::no_tolerance);
  CHECK(rotating.verify(kBody, kHeader, 0).secret_index == 1, "rotation");
  CHECK(rotating.verify(kBody, kHeader).secret_index == 1, "no window");
  CHECK(qw::Verifier::with_secrets({"new-secret", kSecret}).verify(kBody, kHeader, kNow + 300)
                .secret_index == 1,
        "rotation, default window");
  // A tolerance that is negative as a signed number (a -1 from configuration) is an error, never
  // "no window".
  CHECK(code_of([] { qw::Verifier v(kSecret, static_cast<std::uint64_t>(-1)); }) ==
            "invalid_argument",
        "tolerance -1");
  CHECK(code_of([] {
          qw::Verifier::with_secrets({kSecret}, static_cast<std::uint64_t>(INT64_MAX) + 1);
        }) == "invalid_argument",
        "tolerance 2^63");
  // Requests: the reframed replay is refused by default, with the reason.
  qw::Verifier endpoint(kSecret);
  std::string reframed_body = "1704110400." + std::string(kBody);
  std::string_view sig = kHeader.substr(16);
  try {
    endpoint.verify_request(reframed_body, std::nullopt, sig, kNow);
    CHECK(false, "reframed replay accepted");
  } catch (const qw::Error &e) {
    CHECK(e.status() == QW_STATUS_MISSING_HEADER, e.code());
    CHECK(std::string_view(e.what()).find("accepts business webhooks only") !=
              std::string_view::npos,
          e.what());
  }
  CHECK(endpoint.verify_request(kBody, kHeader, std::nullopt, kNow).scheme == qw::Scheme::business,
        "business request");
  CHECK(code_of([&] { endpoint.verify_request(kBody, kHeader, std::nullopt); }) ==
            "timestamp_too_old",
        "verify_request against the clock");
  endpoint.set_schemes(qw::Schemes::onboarding);
  CHECK(endpoint.verify_request(reframed_body, std::nullopt, sig, kNow).scheme ==
            qw::Scheme::onboarding,
        "accepted only once onboarding is configured");
}

// Item 3 of the audit: `Verifier v{secret, 0}` chose the initializer_list constructor, turned 0
// into a null string_view and called strlen(NULL). It is one secret with a 0-second window.
static void test_constructors() {
  std::string_view secret = kSecret;
  qw::Verifier strict{secret, 0};
  CHECK(strict.verify(kBody, kHeader, kNow).secret_index == 0, "{secret, 0}: same second");
  CHECK(code_of([&] { strict.verify(kBody, kHeader, kNow + 1); }) == "timestamp_too_old",
        "{secret, 0}: a 0-second window");
  CHECK(code_of([&] { strict.verify(kBody, kHeader, kNow - 1); }) == "timestamp_in_future",
        "{secret, 0}: a 0-second window (future)");
  qw::Verifier literal{"test-secret", 0};
  CHECK(code_of([&] { literal.verify(kBody, kHeader, kNow + 1); }) == "timestamp_too_old",
        "{\"literal\", 0}");
  qw::Verifier wide{secret, 3600};
  CHECK(wide.verify(kBody, kHeader, kNow + 3600).secret_index == 0, "{secret, 3600}");
  qw::Verifier one{secret};
  CHECK(code_of([&] { one.verify(kBody, kHeader, kNow + 301); }) == "timestamp_too_old",
        "{secret}: the default window");
  // Several secrets only through the named factory; a braced pair of strings does not compile
  // into a rotation by accident (the two-string_view braces pick no constructor).
  static_assert(!std::is_constructible_v<qw::Verifier, std::initializer_list<std::string_view>>,
                "no initializer_list constructor");
  static_assert(!std::is_constructible_v<qw::Verifier, std::string_view, std::string_view>,
                "{secret, secret} is not a constructor call");
  // A literal 0 or nullptr never becomes a (null) secret, in any position.
  static_assert(!std::is_convertible_v<int, qw::Secret>, "0 is not a secret");
  static_assert(!std::is_convertible_v<std::nullptr_t, qw::Secret>, "nullptr is not a secret");
  static_assert(!std::is_constructible_v<qw::Verifier, int>, "Verifier{0} does not compile");
  static_assert(!std::is_constructible_v<qw::Verifier, int, int>, "Verifier{0, 0} neither");
  const char *null_secret = nullptr;  // a NULL C string at run time: empty, so invalid_secret
  CHECK(code_of([&] { qw::Verifier v(null_secret); }) == "invalid_secret", "NULL C string");
  CHECK(qw::Verifier::with_secrets({"new-secret", kSecret}, 0).verify(kBody, kHeader, kNow)
                .secret_index == 1,
        "with_secrets");
  CHECK(code_of([] { qw::Verifier::with_secrets({}); }) == "invalid_secret", "no secret");
}

static void test_moves() {
  static_assert(!std::is_copy_constructible_v<qw::Verifier>, "Verifier is not copyable");
  static_assert(std::is_nothrow_move_constructible_v<qw::Verifier>, "Verifier moves");
  static_assert(!std::is_copy_constructible_v<qw::Incremental>, "Incremental is not copyable");
  static_assert(std::is_nothrow_move_constructible_v<qw::Incremental>, "Incremental moves");

  qw::Verifier a(kSecret);
  qw::Verifier b = std::move(a);
  CHECK(b.verify(kBody, kHeader, kNow).secret_index == 0, "moved-to verifier works");
  bool threw = false;
  try {
    a.verify(kBody, kHeader, kNow);  // NOLINT(bugprone-use-after-move): the point of the test
  } catch (const std::logic_error &) {
    threw = true;
  }
  CHECK(threw, "a moved-from verifier throws logic_error");
  qw::Verifier c("other");
  c = std::move(b);  // frees c's verifier
  CHECK(c.verify(kBody, kHeader, kNow).secret_index == 0, "move-assigned verifier works");

  qw::Incremental s1 = c.start(kHeader, kNow);
  s1.update(kBody.substr(0, 5));
  qw::Incremental s2 = std::move(s1);
  s2.update(kBody.substr(5));
  CHECK(std::move(s2).finish().timestamp == kNow, "moved state finishes");
  threw = false;
  try {
    s1.update("x");  // NOLINT(bugprone-use-after-move)
  } catch (const std::logic_error &) {
    threw = true;
  }
  CHECK(threw, "a moved-from state throws logic_error");
  // An abandoned state is freed by its destructor (valgrind checks).
  qw::Incremental abandoned = c.start_onboarding(qw::sign_onboarding(kSecret, kBody));
  abandoned.update(kBody);
}

static void test_sign() {
  CHECK(qw::sign(kSecret, kBody, kNow) == kHeader, "official header");
  std::string ob = qw::sign_onboarding(kSecret, kBody);
  CHECK(ob.size() == 64, ob);
  CHECK(qw::Verifier(kSecret).verify_onboarding(kBody, ob).secret_index == 0, "round trip");
  CHECK(qw::sign(kSecret, "", UINT64_MAX).size() == QW_SIGN_MAX_LEN, "longest header");
  CHECK(!qw::version().empty(), "version");
}

int main() {
  std::printf("qonto_webhooks.hpp over libqonto_webhooks %s\n", qw::version().data());
  test_vectors();
  test_requests();
  test_constructors();
  test_exceptions();
  test_moves();
  test_sign();
  std::printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
