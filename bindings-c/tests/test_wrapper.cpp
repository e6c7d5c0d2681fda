// The C++ wrapper's test: every shared vector through the wrapper (one-shot and incremental),
// the exceptions and their codes, moves, and signing. test_vectors.h is generated at build time
// from core/tests/data/vectors.json.
#include <cstdio>
#include <ctime>
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
    qw::Verifier verifier(secrets, v.has_tolerance ? v.tolerance : qw::tolerance_disabled);
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
  CHECK(code_of([] { qw::Verifier v(std::vector<std::string>{}); }) == "invalid_secret",
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
  qw::Verifier rotating({"new-secret", kSecret}, qw::tolerance_disabled);
  CHECK(rotating.verify(kBody, kHeader, 0).secret_index == 1, "rotation");
  CHECK(rotating.verify(kBody, kHeader).secret_index == 1, "no window");
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
  test_exceptions();
  test_moves();
  test_sign();
  std::printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
