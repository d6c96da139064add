#include "auth/token_signer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/base64.h"
#include "base/digest.h"
#include "base/fileio.h"

namespace berth::auth {
namespace {

std::string LibtrustKid(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  unsigned char md[32];
  unsigned int mdlen = 0;
  EVP_Digest(spki.data(), spki.size(), md, &mdlen, EVP_sha256(), nullptr);
  static const char* kB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string b32;
  uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < 30; ++i) {  // 240 bits → 48 characters
    acc = (acc << 8) | md[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      b32.push_back(kB32[(acc >> bits) & 31]);
    }
  }
  std::string kid;
  for (size_t i = 0; i < b32.size(); i += 4) {
    if (!kid.empty()) kid.push_back(':');
    kid += b32.substr(i, 4);
  }
  return kid;
}

std::string ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

}  // namespace

Result<std::unique_ptr<TokenSigner>> TokenSigner::LoadOrCreate(const std::string& path) {
  EVP_PKEY* key = nullptr;
  auto pem = fileio::ReadFile(path);
  if (pem) {
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return Fail(Errc::kInternal, "token key " + path + " is not a PEM private key");
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!key) return Fail(Errc::kInternal, "could not generate the token signing key");
    if (auto w = fileio::WriteFileAtomic(path, ToPem(key), true, 0600); !w) {
      EVP_PKEY_free(key);
      return std::unexpected(w.error());
    }
  }
  return std::unique_ptr<TokenSigner>(new TokenSigner(key, LibtrustKid(key)));
}

TokenSigner::~TokenSigner() { EVP_PKEY_free(key_); }

std::string TokenSigner::Sign(const nlohmann::json& claims) const {
  nlohmann::ordered_json header;
  header["typ"] = "JWT";
  header["alg"] = "ES256";
  header["kid"] = kid_;
  std::string input = base64::EncodeUrl(header.dump()) + "." + base64::EncodeUrl(claims.dump());

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string der(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  der.resize(len);

  // JWS wants the raw 64-byte r||s, not DER.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  unsigned char raw[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
  ECDSA_SIG_free(sig);
  return input + "." + base64::EncodeUrl(std::string_view(reinterpret_cast<char*>(raw), 64));
}

Result<nlohmann::json> TokenSigner::Verify(std::string_view token, int64_t now, int64_t leeway) const {
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return Fail(Errc::kUnauthorized, "malformed token");
  auto header = base64::DecodeUrl(token.substr(0, d1));
  auto payload = base64::DecodeUrl(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64::DecodeUrl(token.substr(d2 + 1));
  if (!header || !payload || !sig || sig->size() != 64) return Fail(Errc::kUnauthorized, "malformed token");
  nlohmann::json h, claims;
  try {
    h = nlohmann::json::parse(*header);
    claims = nlohmann::json::parse(*payload);
  } catch (const nlohmann::json::exception&) {
    return Fail(Errc::kUnauthorized, "malformed token");
  }
  if (!h.is_object() || h.value("alg", "") != "ES256" || !claims.is_object())
    return Fail(Errc::kUnauthorized, "unsupported token algorithm");

  ECDSA_SIG* es = ECDSA_SIG_new();
  auto* raw = reinterpret_cast<const unsigned char*>(sig->data());
  ECDSA_SIG_set0(es, BN_bin2bn(raw, 32, nullptr), BN_bin2bn(raw + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  std::string_view input = token.substr(0, d2);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
  int ok = EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len), reinterpret_cast<const unsigned char*>(input.data()),
                            input.size());
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  if (ok != 1) return Fail(Errc::kUnauthorized, "invalid token signature");

  auto num = [&](const char* k) -> int64_t {
    auto it = claims.find(k);
    return it != claims.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  if (num("exp") == 0 || now > num("exp") + leeway) return Fail(Errc::kUnauthorized, "token expired");
  if (num("nbf") != 0 && now + leeway < num("nbf")) return Fail(Errc::kUnauthorized, "token not yet valid");
  return claims;
}

}  // namespace berth::auth
