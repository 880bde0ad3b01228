#include <napi.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

typedef struct TSLanguage TSLanguage;

extern "C" TSLanguage *tree_sitter_go();

// gomapfix: flatten.c.
extern "C" int32_t *gomapfix_flatten(uint32_t id_low, uint32_t id_high, const uint32_t context[4], const uint8_t *masks,
                                     int skip_bodies, uint16_t body_field, uint16_t operator_field, size_t *length);
extern "C" uint32_t gomapfix_symbol_count(void);
extern "C" const char *gomapfix_symbol_name(uint16_t symbol);
extern "C" uint32_t gomapfix_field_count(void);
extern "C" const char *gomapfix_field_name(uint16_t field);

// "tree-sitter", "language" hashed with BLAKE2
const napi_type_tag LANGUAGE_TYPE_TAG = {
    0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16
};

// flatten(idLow, idHigh, context0..3, masks: Uint8Array(65536), skipBodies, bodyField, operatorField): Int32Array
static Napi::Value Flatten(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 10 || !info[6].IsTypedArray()) {
    Napi::TypeError::New(env, "flatten: bad arguments").ThrowAsJavaScriptException();
    return env.Null();
  }
  uint32_t context[4];
  for (int i = 0; i < 4; i++) context[i] = info[2 + i].As<Napi::Number>().Uint32Value();
  Napi::Uint8Array masks = info[6].As<Napi::Uint8Array>();
  if (masks.ElementLength() < 65536) {
    Napi::TypeError::New(env, "flatten: the mask needs 65536 entries").ThrowAsJavaScriptException();
    return env.Null();
  }
  size_t length = 0;
  int32_t *records = gomapfix_flatten(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value(), context,
                                      masks.Data(), info[7].ToBoolean().Value() ? 1 : 0,
                                      static_cast<uint16_t>(info[8].As<Napi::Number>().Uint32Value()),
                                      static_cast<uint16_t>(info[9].As<Napi::Number>().Uint32Value()), &length);
  if (!records) {
    Napi::Error::New(env, "flatten: out of memory").ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Int32Array out = Napi::Int32Array::New(env, length);
  std::memcpy(out.Data(), records, length * sizeof(int32_t));
  std::free(records);
  return out;
}

static Napi::Value SymbolNames(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t count = gomapfix_symbol_count();
  Napi::Array names = Napi::Array::New(env, count);
  for (uint32_t i = 0; i < count; i++) {
    const char *name = gomapfix_symbol_name(static_cast<uint16_t>(i));
    names[i] = name ? Napi::String::New(env, name) : env.Null();
  }
  return names;
}

static Napi::Value FieldNames(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint32_t count = gomapfix_field_count();
  Napi::Array names = Napi::Array::New(env, count + 1);
  names[0u] = env.Null();
  for (uint32_t i = 1; i <= count; i++) {
    const char *name = gomapfix_field_name(static_cast<uint16_t>(i));
    names[i] = name ? Napi::String::New(env, name) : env.Null();
  }
  return names;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    auto language = Napi::External<TSLanguage>::New(env, tree_sitter_go());
    language.TypeTag(&LANGUAGE_TYPE_TAG);
    exports["language"] = language;
    exports["gomapfixFlatten"] = Napi::Function::New(env, Flatten, "gomapfixFlatten");
    exports["gomapfixSymbolNames"] = Napi::Function::New(env, SymbolNames, "gomapfixSymbolNames");
    exports["gomapfixFieldNames"] = Napi::Function::New(env, FieldNames, "gomapfixFieldNames");
    exports["gomapfixNodeTreeSitter"] = Napi::String::New(env, GOMAPFIX_NODE_TREE_SITTER);
    return exports;
}

NODE_API_MODULE(tree_sitter_go_binding, Init)
