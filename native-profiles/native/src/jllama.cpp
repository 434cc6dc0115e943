// slm's libjllama: the 13 native methods of de.kherud.llama.LlamaModel (java-llama.cpp 4.2.0's Java
// API, unchanged) implemented over the pinned llama.cpp's own server library (tools/server), plus the
// functions of dev.slm.engine.llamacpp.SlmNative where the binding's API has no door.
//
// The contract of each binding method was read from java-llama.cpp 4.2.0 (LlamaModel.java,
// LlamaIterator.java, LlamaOutput.java): JSON in, LlamaOutput / arrays out, failures as
// de.kherud.llama.LlamaException. The work is llama.cpp's: model loading, slots, the task queue,
// sampling, grammars and chat templates all run in its server_context, exactly as in llama-server.

#include <jni.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <random>
#include <regex>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "arg.h"
#include "common.h"
#include "build-info.h"
#include "ggml-cpu.h" // ggml_threadpool_new/free, looked up in the CPU backend loaded at run time
#include "json-schema-to-grammar.h"
#include "llama.h"
#include "llama-arch.h" // llama.cpp internal: the architecture table, exported by libllama
#include "log.h"
#include "chat-peg-parser.h"
#include "peg-parser.h"
#include "server-chat.h"
#include "server-common.h"
#include "server-context.h"
#include "server-queue.h"
#include "server-schema.h"
#include "server-stream.h"
#include "server-task.h"

#ifndef SLM_LLAMA_RELEASE
#define SLM_LLAMA_RELEASE "unknown"
#endif

namespace {

JavaVM * g_vm = nullptr;

jclass c_llama_model = nullptr;
jclass c_output = nullptr;
jclass c_hash_map = nullptr;
jclass c_float = nullptr;
jclass c_llama_error = nullptr;
jclass c_log_level = nullptr;
jclass c_log_format = nullptr;
jclass c_error_oom = nullptr;
jclass c_string = nullptr;
jobject o_utf_8 = nullptr;          // StandardCharsets.UTF_8
jmethodID m_get_bytes = nullptr;    // String.getBytes(Charset)
jmethodID cc_string = nullptr;      // new String(byte[], Charset)

jmethodID cc_output = nullptr;
jmethodID cc_hash_map = nullptr;
jmethodID cc_float = nullptr;
jmethodID m_map_put = nullptr;
jmethodID m_biconsumer_accept = nullptr;

jfieldID f_model_pointer = nullptr;

jobject o_log_level_debug = nullptr;
jobject o_log_level_info = nullptr;
jobject o_log_level_warn = nullptr;
jobject o_log_level_error = nullptr;
jobject o_log_format_json = nullptr;
jobject o_log_callback = nullptr;

// A generation the Java side reads piece by piece (LlamaIterator) or whole (complete()).
struct task_entry {
    std::unique_ptr<server_response_reader> reader;
    std::atomic<bool> cancelled{false};
    bool receiving = false; // guarded by slm_model::tasks_mutex
};

// ggml's thread-pool functions, looked up in the CPU backend loaded at run time (each CPU variant
// is a plug-in of its own); both null where there is none.
struct pool_functions {
    decltype(ggml_threadpool_new) * create = nullptr;
    decltype(ggml_threadpool_free) * destroy = nullptr;

    static pool_functions of_cpu_backend() {
        ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
        if (cpu == nullptr) {
            return {};
        }
        ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(cpu);
        pool_functions f;
        f.create = (decltype(ggml_threadpool_new) *) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new");
        f.destroy = (decltype(ggml_threadpool_free) *) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free");
        return f.create != nullptr && f.destroy != nullptr ? f : pool_functions{};
    }
};

// ggml thread pools of each size a model has computed with (SlmNative.setThreads). Freed only with
// the model, after its context: a pool swapped out may still be finishing the graph it was given,
// and its idle workers sleep (after ggml's short polling), so keeping it costs one stack per thread.
struct thread_pools {
    pool_functions fn;
    std::unordered_map<int, ggml_threadpool_t> by_size;

    ~thread_pools() {
        for (auto & [n, pool] : by_size) {
            fn.destroy(pool);
        }
    }
};

// One loaded model: llama.cpp's server context, its task loop on a thread of its own, and the
// generations in flight, by task id.
struct slm_model {
    common_params params;
    thread_pools pools;  // declared before ctx, so destroyed after it
    server_context ctx;
    std::unique_ptr<server_routes> routes;
    std::thread loop;
    const llama_vocab * vocab = nullptr;
    int n_ctx_slot = 0;

    std::mutex tasks_mutex;
    std::unordered_map<int, std::shared_ptr<task_entry>> tasks;

    // The thread count Java's ThreadGovernor wants (0: leave it) and the one the context computes
    // with; only the compute thread changes the latter (apply_wanted_threads).
    llama_context * lctx = nullptr;
    std::atomic<int> wanted_threads{0};
    std::atomic<int> threads_now{0};

    // Ready once the loop has left llama.cpp (see stop_loops_at_exit).
    std::promise<void> loop_left;
};

// Cancels every generation of the model and tells its loop to end after its current step; does not
// wait for it.
void end_loop(slm_model * m) {
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        for (auto & [id, entry] : m->tasks) {
            entry->cancelled = true;
        }
    }
    m->ctx.terminate();
}

// The models whose loop runs, for stop_loops_at_exit.
std::mutex live_mutex;
std::unordered_set<slm_model *> live_models;

// exit() runs the destructors of ggml's CPU backend (the static list of its extra buffer types, which
// each graph node reads) while a model's loop may still compute on its own thread: the JVM calls
// exit() after its shutdown hooks without stopping native threads. One `slm bench` given SIGTERM in
// the middle of a generation died so (SIGSEGV in ggml_cpu_extra_compute_forward). So stop every loop
// first. Registered with atexit after the first model has loaded (and computed its warm-up), so it
// runs before those destructors: exit() runs its handlers in the reverse order of registration.
// The wait is bounded: a loop in a long prompt batch finishes that batch first.
void stop_loops_at_exit() {
    std::lock_guard<std::mutex> lock(live_mutex);
    std::vector<std::future<void>> left;
    for (slm_model * m : live_models) {
        end_loop(m);
        left.push_back(m->loop_left.get_future());
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (auto & f : left) {
        f.wait_until(deadline);
    }
    // Not joined: each loop thread next detaches from the JVM, which blocks once the JVM has exited.
}

// Called by ggml's CPU backend on the compute thread (ggml's thread 0: the server loop, inside
// llama_decode) before each node of a graph, as its abort callback. That is the one place where a
// context's thread count can change without racing llama_decode, which reads it (and the thread
// pool) at the start of each graph: the change takes effect at the next graph. Never aborts.
bool apply_wanted_threads(void * data) {
    auto * m = static_cast<slm_model *>(data);
    int want = m->wanted_threads.load(std::memory_order_relaxed);
    if (want <= 0 || want == m->threads_now.load(std::memory_order_relaxed) || m->pools.fn.create == nullptr) {
        return false;
    }
    ggml_threadpool_t & pool = m->pools.by_size[want];
    if (pool == nullptr) {
        common_cpu_params cpu = m->params.cpuparams;
        cpu.n_threads = want;
        ggml_threadpool_params tpp = ggml_threadpool_params_from_cpu_params(cpu);
        pool = m->pools.fn.create(&tpp);
        if (pool == nullptr) {
            m->pools.by_size.erase(want);
            m->wanted_threads.store(0, std::memory_order_relaxed); // keep what works; do not retry each node
            return false;
        }
    }
    // A pool whose size is the thread count exactly: ggml's idle workers of a larger pool would keep
    // polling a core at every graph, which is what a busy machine cannot spare.
    llama_attach_threadpool(m->lctx, pool, nullptr);
    llama_set_n_threads(m->lctx, want, want);
    m->threads_now.store(want, std::memory_order_relaxed);
    return false;
}

// Lets SlmNative.setThreads change the thread count of a loaded model (see apply_wanted_threads).
void install_thread_governor(slm_model * m, llama_context * lctx) {
    m->pools.fn = pool_functions::of_cpu_backend();
    if (m->pools.fn.create == nullptr || lctx == nullptr) {
        m->pools.fn = {};
        return;
    }
    m->lctx = lctx;
    m->threads_now.store(llama_n_threads(lctx), std::memory_order_relaxed);
    llama_set_abort_callback(lctx, apply_wanted_threads, m);
}

// --- JNI helpers -------------------------------------------------------------------------------

std::string to_string(JNIEnv * env, jstring s) {
    if (s == nullptr) {
        return {};
    }
    // GetStringUTFChars gives modified UTF-8; the bytes of String.getBytes(UTF_8) are what llama.cpp reads.
    auto bytes = (jbyteArray) env->CallObjectMethod(s, m_get_bytes, o_utf_8);
    jsize n = env->GetArrayLength(bytes);
    std::string out((size_t) n, '\0');
    env->GetByteArrayRegion(bytes, 0, n, reinterpret_cast<jbyte *>(out.data()));
    env->DeleteLocalRef(bytes);
    return out;
}

jbyteArray to_bytes(JNIEnv * env, const std::string & s) {
    jbyteArray bytes = env->NewByteArray((jsize) s.size());
    env->SetByteArrayRegion(bytes, 0, (jsize) s.size(), reinterpret_cast<const jbyte *>(s.data()));
    return bytes;
}

jstring to_jstring(JNIEnv * env, const std::string & s) {
    jbyteArray bytes = to_bytes(env, s);
    auto str = (jstring) env->NewObject(c_string, cc_string, bytes, o_utf_8);
    env->DeleteLocalRef(bytes);
    return str;
}

void throw_llama(JNIEnv * env, const std::string & message) {
    env->ThrowNew(c_llama_error, message.c_str());
}

/** The model behind a LlamaModel, or null once it is closed. */
slm_model * model_or_null(JNIEnv * env, jobject obj) {
    return reinterpret_cast<slm_model *>(env->GetLongField(obj, f_model_pointer)); // NOLINT(*-no-int-to-ptr)
}

/** The same, throwing the binding's exception for a closed model. */
slm_model * model_of(JNIEnv * env, jobject obj) {
    slm_model * m = model_or_null(env, obj);
    if (m == nullptr) {
        throw_llama(env, "the model is closed");
    }
    return m;
}

// The message of an error result, as llama-server would send it.
std::string error_message(server_task_result_ptr & result) {
    json j = result->to_json();
    return j.contains("message") ? j.at("message").get<std::string>() : j.dump();
}

void forget_task(slm_model * m, int id) {
    std::shared_ptr<task_entry> entry;
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        auto it = m->tasks.find(id);
        if (it == m->tasks.end()) {
            return;
        }
        entry = it->second;
        m->tasks.erase(it);
    }
    // The reader's destructor cancels what is still running in llama.cpp.
    entry->reader.reset();
}

// --- logging -----------------------------------------------------------------------------------

std::atomic<bool> g_log_to_java{false};

void log_to_java(ggml_log_level level, const char * text, void *) {
    if (!g_log_to_java.load() || o_log_callback == nullptr || g_vm == nullptr) {
        return;
    }
    JNIEnv * env = nullptr;
    bool attached = false;
    if (g_vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_6) == JNI_EDETACHED) {
        if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&env), nullptr) != JNI_OK) {
            return;
        }
        attached = true;
    }
    jobject jlevel = level == GGML_LOG_LEVEL_ERROR ? o_log_level_error
                   : level == GGML_LOG_LEVEL_WARN  ? o_log_level_warn
                   : level == GGML_LOG_LEVEL_DEBUG ? o_log_level_debug
                                                   : o_log_level_info;
    jstring message = to_jstring(env, text);
    env->CallVoidMethod(o_log_callback, m_biconsumer_accept, jlevel, message);
    if (env->ExceptionCheck()) {
        env->ExceptionClear();
    }
    env->DeleteLocalRef(message);
    (void) attached; // daemon threads stay attached: llama.cpp's threads live as long as the model
}

// --- arguments ---------------------------------------------------------------------------------

// The binding's ModelParameters write llama.cpp b4916's flags. Those whose meaning survived under
// another spelling are rewritten here, so the unchanged Java API keeps working.
std::vector<std::string> modernize_args(std::vector<std::string> in) {
    static const char * pooling_names[] = {"none", "mean", "cls", "last", "rank"};
    std::vector<std::string> out;
    bool mlock = false;
    bool no_mmap = false;
    bool has_fit = false;
    bool has_cache_ram = false;
    for (size_t i = 0; i < in.size(); i++) {
        const std::string & a = in[i];
        const bool has_value = i + 1 < in.size();
        if (a == "--flash-attn" || a == "-fa") {
            // b4916: a switch; now: on|off|auto.
            out.push_back("--flash-attn");
            if (has_value && (in[i + 1] == "on" || in[i + 1] == "off" || in[i + 1] == "auto")) {
                out.push_back(in[++i]);
            } else {
                out.push_back("on");
            }
        } else if (a == "--pooling" && has_value && !in[i + 1].empty() && (std::isdigit((unsigned char) in[i + 1][0]) || in[i + 1][0] == '-')) {
            // The binding sends PoolingType.getId(); llama.cpp now takes the name.
            int id = std::atoi(in[++i].c_str());
            if (id >= 0 && id <= 4) {
                out.push_back("--pooling");
                out.push_back(pooling_names[id]);
            }
        } else if (a == "--mlock") {
            mlock = true;
        } else if (a == "--no-mmap") {
            no_mmap = true;
        } else {
            if (a == "--fit" || a == "-fit") {
                has_fit = true;
            }
            if (a == "--cache-ram" || a == "-cram") {
                has_cache_ram = true;
            }
            out.push_back(a);
        }
    }
    if (mlock || no_mmap) {
        out.push_back("--load-mode");
        out.push_back(mlock ? (no_mmap ? "mlock" : "mmap+mlock") : "none");
    }
    // slm plans context, threads and GPU layers itself (profile/FitPlanner): llama.cpp must not
    // change what was asked for behind its back.
    if (!has_fit) {
        out.push_back("--fit");
        out.push_back("off");
    }
    // llama-server keeps up to 8 GiB of prompt states in host memory by default; slm's memory plan
    // counts the model and its KV cache only, so this cache is off unless asked for.
    if (!has_cache_ram) {
        out.push_back("--cache-ram");
        out.push_back("0");
    }
    return out;
}

// The binding's ModelParameters.addLoraScaledAdapter(path, scale) sends "--lora-scaled PATH,SCALE"
// (b4916's form); llama.cpp now reads "FNAME:SCALE,..." and throws on that value, and it splits
// paths at ',' and ':'. So the binding's flag is taken out before llama.cpp parses the arguments
// and its adapters are added afterwards, exactly as given. Its parameters are a map (one value per
// flag): several adapters arrive in one value, one "PATH,SCALE" per line (LlamaCppModel).
std::vector<common_adapter_lora_info> take_binding_loras(std::vector<std::string> & args) {
    std::vector<common_adapter_lora_info> loras;
    std::vector<std::string> rest;
    for (size_t i = 0; i < args.size(); i++) {
        if (args[i] != "--lora-scaled" || i + 1 >= args.size()) {
            rest.push_back(args[i]);
            continue;
        }
        const std::string & value = args[++i];
        size_t start = 0;
        while (start <= value.size()) {
            size_t end = value.find('\n', start);
            std::string entry = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
            size_t comma = entry.rfind(',');
            if (comma == std::string::npos || comma == 0) {
                throw std::invalid_argument("--lora-scaled expects PATH,SCALE, got '" + entry + "'");
            }
            loras.push_back({ entry.substr(0, comma), std::stof(entry.substr(comma + 1)), "", "", nullptr });
            if (end == std::string::npos) {
                break;
            }
            start = end + 1;
        }
    }
    args = rest;
    return loras;
}

std::string library_dir() {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&library_dir), &info) == 0 || info.dli_fname == nullptr) {
        return {};
    }
    std::string path(info.dli_fname);
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

} // namespace

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM * vm, void *) {
    g_vm = vm;
    JNIEnv * env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_6) != JNI_OK) {
        return JNI_ERR;
    }
    auto global_class = [&](const char * name) -> jclass {
        jclass local = env->FindClass(name);
        if (local == nullptr) {
            return nullptr;
        }
        auto global = (jclass) env->NewGlobalRef(local);
        env->DeleteLocalRef(local);
        return global;
    };
    c_llama_model = global_class("de/kherud/llama/LlamaModel");
    c_output = global_class("de/kherud/llama/LlamaOutput");
    c_hash_map = global_class("java/util/HashMap");
    c_float = global_class("java/lang/Float");
    c_llama_error = global_class("de/kherud/llama/LlamaException");
    c_log_level = global_class("de/kherud/llama/LogLevel");
    c_log_format = global_class("de/kherud/llama/args/LogFormat");
    c_error_oom = global_class("java/lang/OutOfMemoryError");
    c_string = global_class("java/lang/String");
    if (!(c_llama_model && c_output && c_hash_map && c_float && c_llama_error && c_log_level && c_log_format
          && c_error_oom && c_string)) {
        return JNI_ERR;
    }
    cc_output = env->GetMethodID(c_output, "<init>", "([BLjava/util/Map;Z)V");
    cc_hash_map = env->GetMethodID(c_hash_map, "<init>", "()V");
    cc_float = env->GetMethodID(c_float, "<init>", "(F)V");
    m_map_put = env->GetMethodID(c_hash_map, "put", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;");
    jclass c_biconsumer = env->FindClass("java/util/function/BiConsumer");
    m_biconsumer_accept = env->GetMethodID(c_biconsumer, "accept", "(Ljava/lang/Object;Ljava/lang/Object;)V");
    f_model_pointer = env->GetFieldID(c_llama_model, "ctx", "J");
    m_get_bytes = env->GetMethodID(c_string, "getBytes", "(Ljava/nio/charset/Charset;)[B");
    cc_string = env->GetMethodID(c_string, "<init>", "([BLjava/nio/charset/Charset;)V");
    if (!(cc_output && cc_hash_map && cc_float && m_map_put && m_biconsumer_accept && f_model_pointer && m_get_bytes
          && cc_string)) {
        return JNI_ERR;
    }
    auto global_static = [&](jclass c, const char * name, const char * sig) -> jobject {
        jfieldID f = env->GetStaticFieldID(c, name, sig);
        return f == nullptr ? nullptr : env->NewGlobalRef(env->GetStaticObjectField(c, f));
    };
    o_log_level_debug = global_static(c_log_level, "DEBUG", "Lde/kherud/llama/LogLevel;");
    o_log_level_info = global_static(c_log_level, "INFO", "Lde/kherud/llama/LogLevel;");
    o_log_level_warn = global_static(c_log_level, "WARN", "Lde/kherud/llama/LogLevel;");
    o_log_level_error = global_static(c_log_level, "ERROR", "Lde/kherud/llama/LogLevel;");
    o_log_format_json = global_static(c_log_format, "JSON", "Lde/kherud/llama/args/LogFormat;");
    jclass c_charsets = env->FindClass("java/nio/charset/StandardCharsets");
    o_utf_8 = global_static(c_charsets, "UTF_8", "Ljava/nio/charset/Charset;");
    env->DeleteLocalRef(c_charsets);
    if (o_utf_8 == nullptr) {
        return JNI_ERR;
    }
    if (env->ExceptionCheck()) {
        env->ExceptionDescribe();
        return JNI_ERR;
    }

    // The CPU variants (and any GPU plug-in) lie beside this library; ggml would otherwise look
    // beside the java executable and in the working directory.
    // Loading says "loaded CPU backend from ..." on stderr, before slm could route or silence the
    // log: keep only warnings and errors of this step.
    llama_log_set([](ggml_log_level level, const char * text, void *) {
        if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) {
            fputs(text, stderr);
        }
    }, nullptr);
    std::string dir = library_dir();
    ggml_backend_load_all_from_path(dir.empty() ? nullptr : dir.c_str());
    llama_log_set(nullptr, nullptr);
    llama_backend_init();
    return JNI_VERSION_1_6;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *, void *) {
    llama_backend_free();
}

JNIEXPORT void JNICALL Java_de_kherud_llama_LlamaModel_loadModel(JNIEnv * env, jobject obj, jobjectArray jargs) {
    std::vector<std::string> args;
    const jsize n = env->GetArrayLength(jargs);
    for (jsize i = 0; i < n; i++) {
        auto s = (jstring) env->GetObjectArrayElement(jargs, i);
        args.push_back(to_string(env, s));
        env->DeleteLocalRef(s);
    }
    if (args.empty()) {
        args.emplace_back("");
    }
    std::vector<std::string> modern = modernize_args(std::vector<std::string>(args.begin() + 1, args.end()));
    modern.insert(modern.begin(), "jllama");

    auto model = std::make_unique<slm_model>();
    bool parsed = false;
    try {
        std::vector<common_adapter_lora_info> loras = take_binding_loras(modern);
        std::vector<char *> argv;
        for (auto & a : modern) {
            argv.push_back(a.data());
        }
        parsed = common_params_parse((int) argv.size(), argv.data(), model->params, LLAMA_EXAMPLE_SERVER);
        model->params.lora_adapters.insert(model->params.lora_adapters.end(), loras.begin(), loras.end());
    } catch (const std::exception & e) {
        throw_llama(env, std::string("invalid model parameters: ") + e.what());
        return;
    }
    if (!parsed) {
        throw_llama(env, "invalid model parameters (llama.cpp printed the reason on stderr)");
        return;
    }
    common_init();
    llama_numa_init(model->params.numa);

    // llama-server builds its routes before loading: they register a callback the load needs.
    model->routes = std::make_unique<server_routes>(model->params, model->ctx);
    bool loaded = false;
    try {
        loaded = model->ctx.load_model(model->params);
    } catch (const std::exception & e) {
        throw_llama(env, std::string("could not load model: ") + e.what());
        return;
    }
    if (!loaded) {
        throw_llama(env, model->params.lora_adapters.empty() ? "could not load model from given file path"
                : "could not load the model or one of its LoRA adapters");
        return;
    }
    model->routes->update_meta(model->ctx);
    llama_context * lctx = model->ctx.get_llama_context();
    model->vocab = llama_model_get_vocab(llama_get_model(lctx));
    model->n_ctx_slot = model->ctx.get_meta().slot_n_ctx;
    install_thread_governor(model.get(), lctx); // before the loop starts: the callback is set unraced

    slm_model * raw = model.get();
    raw->loop = std::thread([raw]() {
        JNIEnv * loop_env = nullptr;
        // Attached so that log callbacks from this thread reach Java.
        g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&loop_env), nullptr);
        raw->ctx.start_loop();
        raw->loop_left.set_value();
        g_vm->DetachCurrentThread();
    });
    {
        std::lock_guard<std::mutex> lock(live_mutex);
        live_models.insert(raw);
    }
    static std::once_flag at_exit;
    std::call_once(at_exit, []() { std::atexit(stop_loops_at_exit); });
    env->SetLongField(obj, f_model_pointer, reinterpret_cast<jlong>(model.release()));
}

JNIEXPORT void JNICALL Java_de_kherud_llama_LlamaModel_delete(JNIEnv * env, jobject obj) {
    slm_model * m = model_or_null(env, obj);
    if (m == nullptr) {
        return;
    }
    env->SetLongField(obj, f_model_pointer, 0);
    {
        std::lock_guard<std::mutex> lock(live_mutex);
        live_models.erase(m);
    }
    end_loop(m);
    if (m->loop.joinable()) {
        m->loop.join();
    }
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        m->tasks.clear();
    }
    m->routes.reset();
    // Frees the llama_context and the model's weights: unlike the binding's own library, close()
    // gives the memory back.
    delete m;
}

JNIEXPORT jint JNICALL Java_de_kherud_llama_LlamaModel_requestCompletion(JNIEnv * env, jobject obj, jstring jparams) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return 0;
    }
    auto entry = std::make_shared<task_entry>();
    entry->reader = std::make_unique<server_response_reader>(m->ctx.get_response_reader());
    int id;
    try {
        json data = json::parse(to_string(env, jparams));
        server_task_type type = data.contains("input_prefix") || data.contains("input_suffix")
                ? SERVER_TASK_TYPE_INFILL : SERVER_TASK_TYPE_COMPLETION;
        if (type == SERVER_TASK_TYPE_INFILL) {
            std::vector<server_tokens> prompt = tokenize_input_prompts(m->vocab, nullptr,
                    json_value(data, "prompt", std::string()), false, true, mtmd_helper_init_opt_default());
            data["prompt"] = format_prompt_infill(m->vocab, data.at("input_prefix"), data.at("input_suffix"),
                    json_value(data, "input_extra", json::array()), m->params.n_batch, m->params.n_predict,
                    m->n_ctx_slot, m->params.spm_infill, prompt[0].get_tokens());
        }
        std::vector<server_tokens> inputs = tokenize_input_prompts(m->vocab, nullptr, data.at("prompt"), true, true,
                mtmd_helper_init_opt_default());
        if (inputs.size() != 1) {
            throw std::invalid_argument("exactly one prompt per request is supported");
        }
        server_task task(type);
        task.id = entry->reader->get_new_id();
        task.tokens = std::move(inputs[0]);
        task.params = server_schema::eval_llama_cmpl_schema(m->vocab, m->params,
                m->params.sampling.logit_bias_eog, data);
        task.id_slot = json_value(data, "id_slot", -1);
        task.params.res_type = TASK_RESPONSE_TYPE_NONE;
        task.params.oaicompat_cmpl_id = gen_chatcmplid();
        id = task.id;
        {
            std::lock_guard<std::mutex> lock(m->tasks_mutex);
            m->tasks[id] = entry;
        }
        entry->reader->post_task(std::move(task));
    } catch (const std::exception & e) {
        throw_llama(env, format_error_response(e.what(), ERROR_TYPE_INVALID_REQUEST).dump());
        return 0;
    }
    return id;
}

JNIEXPORT jobject JNICALL Java_de_kherud_llama_LlamaModel_receiveCompletion(JNIEnv * env, jobject obj, jint id) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    std::shared_ptr<task_entry> entry;
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        auto it = m->tasks.find(id);
        if (it != m->tasks.end() && !it->second->receiving) {
            entry = it->second;
            entry->receiving = true;
        }
    }
    jobject empty_probs = env->NewObject(c_hash_map, cc_hash_map);
    if (entry == nullptr) {
        // Cancelled, released or never known: the generation is over.
        return env->NewObject(c_output, cc_output, to_bytes(env, ""), empty_probs, JNI_TRUE);
    }
    server_task_result_ptr result;
    json out;
    std::string failure;
    while (!entry->cancelled) {
        try {
            result = entry->reader->next([&entry]() { return entry->cancelled.load(); });
        } catch (const std::exception & e) {
            failure = e.what();
            break;
        }
        // One output per piece of text, as the binding's library gave them: llama-server also sends
        // partial results that carry no text (prompt progress, a held-back piece); skip those.
        if (result == nullptr || result->is_error()) {
            break;
        }
        out = result->to_json();
        if (result->is_stop() || !json_value(out, "content", std::string()).empty()) {
            break;
        }
    }
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        entry->receiving = false;
    }
    if (!failure.empty()) {
        forget_task(m, id);
        throw_llama(env, failure);
        return nullptr;
    }
    if (result == nullptr) {
        // Cancelled while waiting.
        forget_task(m, id);
        return env->NewObject(c_output, cc_output, to_bytes(env, ""), empty_probs, JNI_TRUE);
    }
    if (result->is_error()) {
        std::string message = error_message(result);
        forget_task(m, id);
        throw_llama(env, message);
        return nullptr;
    }
    const bool stop = result->is_stop();
    if (stop) {
        forget_task(m, id);
    }
    std::string content = json_value(out, "content", std::string());
    if (out.contains("completion_probabilities")) {
        for (const auto & tok : out.at("completion_probabilities")) {
            const json & top = tok.contains("top_probs") ? tok.at("top_probs")
                             : tok.contains("top_logprobs") ? tok.at("top_logprobs") : json::array();
            for (const auto & p : top) {
                float prob = p.contains("prob") ? p.at("prob").get<float>() : std::exp(p.value("logprob", -INFINITY));
                jstring key = to_jstring(env, p.value("token", std::string()));
                jobject value = env->NewObject(c_float, cc_float, prob);
                env->CallObjectMethod(empty_probs, m_map_put, key, value);
                env->DeleteLocalRef(key);
                env->DeleteLocalRef(value);
            }
        }
    }
    return env->NewObject(c_output, cc_output, to_bytes(env, content), empty_probs, stop ? JNI_TRUE : JNI_FALSE);
}

JNIEXPORT void JNICALL Java_de_kherud_llama_LlamaModel_cancelCompletion(JNIEnv * env, jobject obj, jint id) {
    slm_model * m = model_or_null(env, obj);
    if (m == nullptr) {
        return;
    }
    bool receiving = false;
    std::shared_ptr<task_entry> entry;
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        auto it = m->tasks.find(id);
        if (it == m->tasks.end()) {
            return;
        }
        entry = it->second;
        entry->cancelled = true;
        receiving = entry->receiving;
    }
    if (receiving) {
        // Another thread waits in next(): tell llama.cpp now (the slot stops at its next token);
        // the waiting thread sees the flag within its polling interval and forgets the task.
        server_task cancel(SERVER_TASK_TYPE_CANCEL);
        cancel.id_target = id;
        entry->reader->queue_tasks.post(std::move(cancel), true);
    } else {
        forget_task(m, id);
    }
}

JNIEXPORT void JNICALL Java_de_kherud_llama_LlamaModel_releaseTask(JNIEnv * env, jobject obj, jint id) {
    slm_model * m = model_or_null(env, obj);
    if (m == nullptr) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(m->tasks_mutex);
        auto it = m->tasks.find(id);
        if (it != m->tasks.end() && it->second->receiving) {
            // The receiving thread forgets it when it wakes.
            it->second->cancelled = true;
            return;
        }
    }
    forget_task(m, id);
}

JNIEXPORT jfloatArray JNICALL Java_de_kherud_llama_LlamaModel_embed(JNIEnv * env, jobject obj, jstring jprompt) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    if (!m->params.embedding) {
        throw_llama(env, "model was not loaded with embedding support (see ModelParameters#setEmbedding(boolean))");
        return nullptr;
    }
    try {
        server_response_reader rd = m->ctx.get_response_reader();
        std::vector<server_tokens> inputs = tokenize_input_prompts(m->vocab, nullptr, json(to_string(env, jprompt)),
                true, true, mtmd_helper_init_opt_default());
        if (inputs.empty() || inputs[0].empty()) {
            throw_llama(env, "input content cannot be empty");
            return nullptr;
        }
        server_task task(SERVER_TASK_TYPE_EMBEDDING);
        task.id = rd.get_new_id();
        task.tokens = std::move(inputs[0]);
        task.params.res_type = TASK_RESPONSE_TYPE_NONE;
        task.params.embd_normalize = m->params.embd_normalize;
        rd.post_task(std::move(task));
        auto all = rd.wait_for_all([]() { return false; });
        if (all.error) {
            throw_llama(env, error_message(all.error));
            return nullptr;
        }
        json out = all.results.at(0)->to_json();
        // One vector per token without pooling, one in all with it: the first, as the binding did.
        const json & rows = out.at("embedding");
        std::vector<float> first;
        const json & row = rows.empty() ? rows : rows.at((size_t) 0).is_array() ? rows.at((size_t) 0) : rows;
        for (size_t i = 0; i < row.size(); i++) {
            first.push_back(row.at(i).get<float>());
        }
        if (first.empty()) {
            env->ThrowNew(c_error_oom, "embedding array is empty");
            return nullptr;
        }
        jfloatArray arr = env->NewFloatArray((jsize) first.size());
        env->SetFloatArrayRegion(arr, 0, (jsize) first.size(), first.data());
        return arr;
    } catch (const std::exception & e) {
        throw_llama(env, std::string("embedding failed: ") + e.what());
        return nullptr;
    }
}

JNIEXPORT jobject JNICALL Java_de_kherud_llama_LlamaModel_rerank(JNIEnv * env, jobject obj, jstring jquery,
                                                                 jobjectArray jdocuments) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    std::vector<std::string> documents;
    const jsize n = env->GetArrayLength(jdocuments);
    for (jsize i = 0; i < n; i++) {
        auto s = (jstring) env->GetObjectArrayElement(jdocuments, i);
        documents.push_back(to_string(env, s));
        env->DeleteLocalRef(s);
    }
    std::string query = to_string(env, jquery);
    std::function<bool()> never = []() { return false; };
    json body = json::object();
    body["query"] = query;
    body["documents"] = json::array();
    for (const auto & d : documents) {
        body["documents"].push_back(d);
    }
    body["top_n"] = (int) documents.size();
    server_http_req req{{}, {}, "/rerank", "", body.dump(), {}, never};
    server_http_res_ptr res = m->routes->post_rerank(req);
    json out = json::parse(res->data.empty() ? "{}" : res->data);
    if (res->status != 200) {
        throw_llama(env, out.contains("error") ? out["error"].value("message", res->data) : res->data);
        return nullptr;
    }
    jobject scores = env->NewObject(c_hash_map, cc_hash_map);
    for (const auto & r : out.value("results", json::array())) {
        int index = r.value("index", -1);
        if (index < 0 || index >= (int) documents.size()) {
            continue;
        }
        jstring key = to_jstring(env, documents[index]);
        jobject value = env->NewObject(c_float, cc_float, r.value("relevance_score", 0.0f));
        env->CallObjectMethod(scores, m_map_put, key, value);
        env->DeleteLocalRef(key);
        env->DeleteLocalRef(value);
    }
    return env->NewObject(c_output, cc_output, to_bytes(env, query), scores, JNI_TRUE);
}

JNIEXPORT jstring JNICALL Java_de_kherud_llama_LlamaModel_applyTemplate(JNIEnv * env, jobject obj, jstring jparams) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    try {
        json data = json::parse(to_string(env, jparams));
        json body = json::object();
        body["messages"] = data.value("messages", json::array());
        std::function<bool()> never = []() { return false; };
        server_http_req req{{}, {}, "/apply-template", "", body.dump(), {}, never};
        server_http_res_ptr res = m->routes->post_apply_template(req);
        json out = json::parse(res->data);
        if (res->status != 200 || !out.contains("prompt")) {
            throw_llama(env, out.contains("error") ? out["error"].value("message", res->data) : res->data);
            return nullptr;
        }
        return to_jstring(env, out.at("prompt").get<std::string>());
    } catch (const std::exception & e) {
        throw_llama(env, std::string("cannot apply the chat template: ") + e.what());
        return nullptr;
    }
}

JNIEXPORT jintArray JNICALL Java_de_kherud_llama_LlamaModel_encode(JNIEnv * env, jobject obj, jstring jprompt) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    llama_tokens tokens = tokenize_mixed(m->vocab, json(to_string(env, jprompt)), false, true);
    jintArray arr = env->NewIntArray((jsize) tokens.size());
    if (arr == nullptr) {
        env->ThrowNew(c_error_oom, "could not allocate token memory");
        return nullptr;
    }
    env->SetIntArrayRegion(arr, 0, (jsize) tokens.size(), reinterpret_cast<const jint *>(tokens.data()));
    return arr;
}

JNIEXPORT jbyteArray JNICALL Java_de_kherud_llama_LlamaModel_decodeBytes(JNIEnv * env, jobject obj, jintArray jtokens) {
    slm_model * m = model_of(env, obj);
    if (m == nullptr) {
        return nullptr;
    }
    const jsize n = env->GetArrayLength(jtokens);
    llama_tokens tokens((size_t) n);
    env->GetIntArrayRegion(jtokens, 0, n, reinterpret_cast<jint *>(tokens.data()));
    const int32_t n_vocab = llama_vocab_n_tokens(m->vocab);
    for (llama_token t : tokens) {
        if (t < 0 || t >= n_vocab) {
            throw_llama(env, "token id " + std::to_string(t) + " is outside the vocabulary (0-" + std::to_string(n_vocab - 1) + ")");
            return nullptr;
        }
    }
    return to_bytes(env, tokens_to_str(m->vocab, tokens));
}

JNIEXPORT void JNICALL Java_de_kherud_llama_LlamaModel_setLogger(JNIEnv * env, jclass, jobject format, jobject callback) {
    if (o_log_callback != nullptr) {
        g_log_to_java = false;
        env->DeleteGlobalRef(o_log_callback);
        o_log_callback = nullptr;
    }
    if (callback == nullptr) {
        llama_log_set(nullptr, nullptr);
        return;
    }
    o_log_callback = env->NewGlobalRef(callback);
    g_log_to_java = !env->IsSameObject(format, o_log_format_json);
    llama_log_set(log_to_java, nullptr);
}

JNIEXPORT jbyteArray JNICALL Java_de_kherud_llama_LlamaModel_jsonSchemaToGrammarBytes(JNIEnv * env, jclass, jstring jschema) {
    try {
        json schema = json::parse(to_string(env, jschema));
        return to_bytes(env, json_schema_to_grammar(schema));
    } catch (const std::exception & e) {
        throw_llama(env, e.what());
        return nullptr;
    }
}

// --- slm's own door: dev.slm.engine.llamacpp.SlmNative ------------------------------------------

/** The llama.cpp release this library was built from, and its build id. */
JNIEXPORT jstring JNICALL Java_dev_slm_engine_llamacpp_SlmNative_llamaCppRelease(JNIEnv * env, jclass) {
    return to_jstring(env, std::string(SLM_LLAMA_RELEASE) + " (" + llama_build_info() + ")");
}

/** The model architectures this library's llama.cpp can load, one per line. */
JNIEXPORT jstring JNICALL Java_dev_slm_engine_llamacpp_SlmNative_architectures(JNIEnv * env, jclass) {
    std::string out;
    for (llm_arch arch : llm_arch_all()) {
        std::string name = llm_arch_name(arch);
        // clip: a placeholder used only by llama-quantize; "(unknown)": what an unknown name maps to
        if (name != "clip" && !name.empty() && name[0] != '(') {
            out += name + "\n";
        }
    }
    return to_jstring(env, out);
}

/** Asks a loaded model to compute with {@code threads} CPU threads from its next graph on. */
JNIEXPORT void JNICALL Java_dev_slm_engine_llamacpp_SlmNative_setThreads(JNIEnv * env, jclass, jobject jmodel, jint threads) {
    slm_model * m = model_of(env, jmodel);
    if (m != nullptr) {
        m->wanted_threads.store(std::clamp((int) threads, 1, GGML_MAX_N_THREADS), std::memory_order_relaxed);
    }
}

/** The CPU threads a loaded model computes with (from its next graph on); 0 where they cannot change. */
JNIEXPORT jint JNICALL Java_dev_slm_engine_llamacpp_SlmNative_threadsInUse(JNIEnv * env, jclass, jobject jmodel) {
    slm_model * m = model_of(env, jmodel);
    return m == nullptr || m->pools.fn.create == nullptr ? 0 : m->threads_now.load(std::memory_order_relaxed);
}

/** The CPU backend variant ggml chose for this machine, or the devices it found, one per line. */
JNIEXPORT jstring JNICALL Java_dev_slm_engine_llamacpp_SlmNative_devices(JNIEnv * env, jclass) {
    std::string out;
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(dev);
        out += std::string(ggml_backend_dev_name(dev)) + "\t" + ggml_backend_dev_description(dev) + "\t"
             + (reg ? ggml_backend_reg_name(reg) : "") + "\n";
    }
    return to_jstring(env, out);
}

} // extern "C"

// llama-bench's two tests on llama.cpp's C API, with llama.cpp's own context defaults and
// llama-bench's thread pool (its waiting included): the baseline `slm bench --engine llama.cpp`
// compares slm against.
namespace {
struct bench_model {
    llama_model * model;
    int threads;
    std::mt19937 random{1234};
    // llama-bench's thread pool: ggml's defaults for its thread count (polling level 50), attached
    // to each context. Without one, ggml starts and stops its threads for every graph.
    pool_functions fn = pool_functions::of_cpu_backend();
    ggml_threadpool_t pool = nullptr;
};

void bench_pool(bench_model * b) {
    if (b->fn.create != nullptr) {
        ggml_threadpool_params tpp = ggml_threadpool_params_default(b->threads);
        b->pool = b->fn.create(&tpp);
    }
}

llama_context * bench_context(JNIEnv * env, bench_model * b, int n_ctx, int n_batch) {
    llama_context_params p = llama_context_default_params();
    p.n_ctx = (uint32_t) n_ctx;
    p.n_batch = (uint32_t) n_batch;
    p.n_ubatch = (uint32_t) std::min(n_batch, 512);
    p.n_threads = b->threads;
    p.n_threads_batch = b->threads;
    llama_context * ctx = llama_init_from_model(b->model, p);
    if (ctx == nullptr) {
        throw_llama(env, "llama.cpp could not create a context of " + std::to_string(n_ctx) + " tokens");
    } else if (b->pool != nullptr) {
        llama_attach_threadpool(ctx, b->pool, nullptr);
    }
    return ctx;
}

bool bench_decode(JNIEnv * env, llama_context * ctx, std::vector<llama_token> & tokens) {
    int rc = llama_decode(ctx, llama_batch_get_one(tokens.data(), (int32_t) tokens.size()));
    if (rc != 0) {
        throw_llama(env, "llama_decode failed with code " + std::to_string(rc));
        return false;
    }
    return true;
}

llama_token bench_token(bench_model * b, const llama_vocab * vocab) {
    return (llama_token) (b->random() % (uint32_t) llama_vocab_n_tokens(vocab));
}

bool bench_prompt(JNIEnv * env, bench_model * b, llama_context * ctx, int n, int batch) {
    const llama_vocab * vocab = llama_model_get_vocab(b->model);
    for (int done = 0; done < n;) {
        int k = std::min(n - done, batch);
        std::vector<llama_token> tokens((size_t) k);
        for (int i = 0; i < k; i++) {
            tokens[i] = done == 0 && i == 0 && llama_vocab_get_add_bos(vocab) ? llama_vocab_bos(vocab) : bench_token(b, vocab);
        }
        if (!bench_decode(env, ctx, tokens)) {
            return false;
        }
        done += k;
    }
    llama_synchronize(ctx);
    return true;
}

bool bench_generate(JNIEnv * env, bench_model * b, llama_context * ctx, int n) {
    const llama_vocab * vocab = llama_model_get_vocab(b->model);
    llama_token t = llama_vocab_get_add_bos(vocab) ? llama_vocab_bos(vocab) : bench_token(b, vocab);
    for (int i = 0; i < n; i++) {
        std::vector<llama_token> one{t};
        if (!bench_decode(env, ctx, one)) {
            return false;
        }
        llama_synchronize(ctx);
        t = bench_token(b, vocab);
    }
    return true;
}

jlongArray to_jlongs(JNIEnv * env, const std::vector<jlong> & v) {
    jlongArray arr = env->NewLongArray((jsize) v.size());
    env->SetLongArrayRegion(arr, 0, (jsize) v.size(), v.data());
    return arr;
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

extern "C" {

JNIEXPORT void JNICALL Java_dev_slm_engine_llamacpp_SlmNative_silenceLogs(JNIEnv *, jclass) {
    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
}

JNIEXPORT jlong JNICALL Java_dev_slm_engine_llamacpp_SlmNative_benchOpen(JNIEnv * env, jclass, jstring jpath, jint threads) {
    llama_model_params mp = llama_model_default_params();
    llama_model * model = llama_model_load_from_file(to_string(env, jpath).c_str(), mp);
    if (model == nullptr) {
        throw_llama(env, "llama.cpp could not load the model (run with -v to see why)");
        return 0;
    }
    auto * b = new bench_model{model, threads};
    bench_pool(b);
    return reinterpret_cast<jlong>(b);
}

JNIEXPORT jlongArray JNICALL Java_dev_slm_engine_llamacpp_SlmNative_benchPrompt(JNIEnv * env, jclass, jlong h, jint n, jint batch, jint reps) {
    auto * b = reinterpret_cast<bench_model *>(h); // NOLINT(*-no-int-to-ptr)
    llama_context * ctx = bench_context(env, b, n, batch);
    if (ctx == nullptr) {
        return nullptr;
    }
    std::vector<jlong> runs;
    if (bench_prompt(env, b, ctx, n, batch)) { // warm-up, as llama-bench does
        for (int r = 0; r < reps; r++) {
            llama_memory_clear(llama_get_memory(ctx), true);
            int64_t start = now_ns();
            if (!bench_prompt(env, b, ctx, n, batch)) {
                break;
            }
            runs.push_back(now_ns() - start);
        }
    }
    llama_free(ctx);
    return env->ExceptionCheck() ? nullptr : to_jlongs(env, runs);
}

JNIEXPORT jlongArray JNICALL Java_dev_slm_engine_llamacpp_SlmNative_benchGenerate(JNIEnv * env, jclass, jlong h, jint n, jint reps) {
    auto * b = reinterpret_cast<bench_model *>(h); // NOLINT(*-no-int-to-ptr)
    llama_context * ctx = bench_context(env, b, n + 1, 512);
    if (ctx == nullptr) {
        return nullptr;
    }
    std::vector<jlong> runs;
    if (bench_generate(env, b, ctx, 1)) {
        for (int r = 0; r < reps; r++) {
            llama_memory_clear(llama_get_memory(ctx), true);
            int64_t start = now_ns();
            if (!bench_generate(env, b, ctx, n)) {
                break;
            }
            runs.push_back(now_ns() - start);
        }
    }
    llama_free(ctx);
    return env->ExceptionCheck() ? nullptr : to_jlongs(env, runs);
}

JNIEXPORT void JNICALL Java_dev_slm_engine_llamacpp_SlmNative_benchClose(JNIEnv *, jclass, jlong h) {
    auto * b = reinterpret_cast<bench_model *>(h); // NOLINT(*-no-int-to-ptr)
    if (b != nullptr) {
        llama_model_free(b->model);
        if (b->pool != nullptr) {
            b->fn.destroy(b->pool); // after the contexts that used it, freed by each test
        }
        delete b;
    }
}

} // extern "C"

// --- Tool choice: "required" and a named function, constrained from the first token -------------
//
// llama.cpp v0.5.0 has no named tool_choice (an object reads as "auto"), and its grammar for
// "required" lets the model write free text until the call's marker (`p.until(marker)` in
// common/chat-auto-parser-generator.cpp): a model that never writes the marker never calls. slm
// narrows a named choice to "required" over that one tool, and for "required" replaces the
// grammar with the one llama.cpp builds for a lazy (auto) grammar, whose root is the tool-call
// rules alone, applied from the first token. llama.cpp's own chat parser then reads the answer.
//
// The completions pipeline behind llama-server's route (server_routes::handle_completions_impl)
// and the route's chat settings (server_routes::meta) are private: they are reached through
// explicit template instantiation, which the language exempts from access checks. Its result
// type is defined only in server-context.cpp; this is that definition, token for token (one
// definition rule), so the result can be owned and destroyed here. Both are re-checked against
// each llama.cpp pin by the build (a changed signature does not compile).

constexpr int HTTP_POLLING_SECONDS = 1;

// generator-like API for HTTP response generation
// may have bypass_sleep = true if the task does not use ctx_server
struct server_res_generator : server_res_spipe {
    server_response_reader rd;
    server_res_generator(server_queue & queue_tasks, server_response & queue_results, int sleep_idle_seconds, bool bypass_sleep = false)
            : rd(queue_tasks, queue_results, HTTP_POLLING_SECONDS) {
        // fast path in case sleeping is disabled
        bypass_sleep |= sleep_idle_seconds < 0;
        if (!bypass_sleep) {
            queue_tasks.wait_until_no_sleep();
        }
    }
    void ok(const json & response_data) {
        status = 200;
        data = safe_json_to_str(response_data);
    }
    void error(const json & error_data) {
        status = json_value(error_data, "code", 500);
        data = safe_json_to_str({{ "error", error_data }});
    }
};

namespace {
template <typename Tag, typename Tag::type Member>
struct private_access {
    friend typename Tag::type private_member(Tag) { return Member; }
};

struct routes_completions {
    using type = std::unique_ptr<server_res_generator> (server_routes::*)(
            const server_http_req &, server_task_type, const json &, const std::vector<raw_buffer> &, task_response_type);
    friend type private_member(routes_completions);
};

struct routes_meta {
    using type = std::unique_ptr<const server_context_meta> server_routes::*;
    friend type private_member(routes_meta);
};

template struct private_access<routes_completions, &server_routes::handle_completions_impl>;
template struct private_access<routes_meta, &server_routes::meta>;

/** The function a named tool_choice names (OpenAI's chat and responses shapes), or "" for a string choice. */
std::string named_tool(const json & choice) {
    if (!choice.is_object()) {
        return "";
    }
    if (json_value(choice, "type", std::string()) != "function") {
        throw std::invalid_argument("tool_choice: an object must be {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }
    std::string name = choice.contains("function") ? json_value(choice.at("function"), "name", std::string())
                                                     : json_value(choice, "name", std::string());
    if (name.empty()) {
        throw std::invalid_argument("tool_choice: the function's name is missing");
    }
    return name;
}

/** Rewrites a named tool_choice as "required" over that tool; returns whether a call is required. */
bool require_tool_call(json & body) {
    if (!body.contains("tool_choice") || body.at("tool_choice").is_null()) {
        return false;
    }
    const json choice = body.at("tool_choice");
    bool has_tools = body.contains("tools") && body.at("tools").is_array() && !body.at("tools").empty();
    std::string name = named_tool(choice);
    if (name.empty()) {
        if (!choice.is_string()) {
            throw std::invalid_argument("tool_choice must be \"auto\", \"none\", \"required\" or a named function");
        }
        if (choice.get<std::string>() == "required" && !has_tools) {
            throw std::invalid_argument("tool_choice \"required\" needs 'tools'");
        }
        return choice.get<std::string>() == "required";
    }
    json chosen = json::array();
    if (has_tools) {
        for (const auto & tool : body.at("tools")) {
            if (tool.contains("function") && json_value(tool.at("function"), "name", std::string()) == name) {
                chosen.push_back(tool);
            }
        }
    }
    if (chosen.empty()) {
        throw std::invalid_argument("tool_choice names the function '" + name + "', which is not in 'tools'");
    }
    body["tools"] = chosen;
    body["tool_choice"] = "required";
    if (!body.contains("parallel_tool_calls")) {
        body["parallel_tool_calls"] = false; // "call this function": once
    }
    return true;
}

void replace_once(std::string & s, const std::string & from, const std::string & to) {
    size_t at = s.find(from);
    if (at != std::string::npos) {
        s.replace(at, from.size(), to);
    }
}

/**
 * For a format without a marker (Llama 3.x: a bare {"name": ..., "parameters": ...}) llama.cpp
 * has no lazy grammar, and its grammar for "required" starts with free text up to the call's first
 * character (`root ::= "<generation prompt>" space until-N? tool-call`). The root loses that free
 * text, so the call starts at the first token; the generation prompt stays, as llama.cpp feeds it.
 */
void drop_text_before_the_call(json & params) {
    std::string grammar = json_value(params, "grammar", std::string());
    size_t root = grammar.rfind("root ::= ", 0) == 0 ? 0 : grammar.find("\nroot ::= ");
    if (root == std::string::npos) {
        return;
    }
    size_t end = grammar.find('\n', root + 1);
    std::string line = grammar.substr(root, end == std::string::npos ? std::string::npos : end - root);
    std::string bare = std::regex_replace(line, std::regex(" until-[0-9]+\\??(?= )"), "");
    if (bare != line) {
        grammar.replace(root, line.size(), bare);
        params["grammar"] = grammar;
    }
}

/**
 * Applies the tool-call grammar llama.cpp builds for "auto" (lazy: its root is the tool-call rules
 * alone, schemas included) from the first token. {@code lazy} is llama.cpp's answer to the same
 * request with tool_choice "auto"; where it has no lazy grammar (a format without a marker),
 * llama.cpp's own grammar for "required" stays, less the free text it allows before the call.
 */
void constrain_to_tool_calls(json & params, const json & lazy, bool parallel) {
    if (json_value(params, "grammar_type", std::string()) != "tool_calls") {
        return;
    }
    if (!json_value(lazy, "grammar_lazy", false)) {
        drop_text_before_the_call(params);
        return;
    }
    std::string grammar = json_value(lazy, "grammar", std::string());
    if (grammar.empty()) {
        return;
    }
    // In "auto" each call of a one-block-per-call format (Qwen/Hermes) is optional, which would
    // let the model write whitespace for ever; here a call is required.
    replace_once(grammar, "tool-calls ::= (tool-call? space)+", "tool-calls ::= (tool-call space)+");
    // Such formats repeat the block for parallel calls even when parallel_tool_calls is false; one
    // block is one call.
    if (!parallel && grammar.find("tool-calls ::= (tool-call space)+") != std::string::npos) {
        replace_once(grammar, "\nroot ::= tool-call | tool-calls\n", "\nroot ::= tool-call\n");
    }
    params["grammar"] = grammar;
    // A user-type grammar: llama.cpp first feeds a tool-call grammar the generation prompt, which
    // this one (starting at the call) would refuse.
    params.erase("grammar_type");
    params["grammar_lazy"] = false;
    params["grammar_triggers"] = json::array();
}

// --- Tool calls for a template without a tool format: slm's generic JSON ----------------------
//
// A template that renders neither tools nor tool calls (Gemma, Phi-3.5, SmolLM3 as llama.cpp ships
// it) gives llama.cpp nothing to build a format from: v0.5.0 then drops the tools silently (its
// older generic handler is gone). slm describes the tools in a system message, asks for one JSON
// shape, {"tool_calls": [{"name": ..., "arguments": {...}}]}, and reads it with llama.cpp's own
// JSON tool-call parser (common_chat_peg_builder::standard_json_tools): schemas in the grammar,
// calls parsed and streamed as deltas by the same pipeline as a native format.

const std::string GENERIC_CALLS_START = "{\"tool_calls\":";

/** Whether the request has tools to call and the model's template has no tool format of its own. */
bool needs_generic_tool_calls(const server_context_meta & meta, const json & body) {
    if (!body.contains("tools") || !body.at("tools").is_array() || body.at("tools").empty()) {
        return false;
    }
    if (body.contains("tool_choice") && body.at("tool_choice").is_string() && body.at("tool_choice") == "none") {
        return false;
    }
    auto caps = common_chat_templates_get_caps(meta.chat_params.tmpls.get());
    return !caps["supports_tools"] && !caps["supports_tool_calls"];
}

std::string text_of(const json & content) {
    if (content.is_string()) {
        return content.get<std::string>();
    }
    std::string text;
    if (content.is_array()) {
        for (const auto & part : content) {
            if (json_value(part, "type", std::string()) == "text") {
                text += (text.empty() ? "" : "\n") + json_value(part, "text", std::string());
            }
        }
    }
    return text;
}

/**
 * Rewrites the conversation for a template without tools: the tools and the answer's shape in the
 * system message; earlier calls as the JSON the model writes; tool results as user turns (merged
 * with a neighbouring user turn, since such templates often insist that roles alternate).
 */
void describe_tools_in_messages(json & body, bool required) {
    json described = json::array();
    for (const auto & tool : body.at("tools")) {
        if (tool.contains("function")) {
            const json & f = tool.at("function");
            described.push_back({{"name", json_value(f, "name", std::string())},
                                 {"description", json_value(f, "description", std::string())},
                                 {"parameters", f.contains("parameters") ? f.at("parameters") : json::object()}});
        }
    }
    std::string text = "You can call these functions (their parameters are JSON Schemas):\n" + described.dump(2) +
                       "\n\nTo call functions, answer with this JSON alone, one object per call:\n" + GENERIC_CALLS_START +
                       " [{\"name\": \"<function name>\", \"arguments\": {<arguments>}}]}" +
                       (required ? "\nYou must call a function." : "\nOtherwise answer in plain text.");
    json messages = json::array();
    bool last_from_tool = false;
    for (json message : body.at("messages")) {
        std::string role = json_value(message, "role", std::string());
        bool from_tool = role == "tool";
        if (role == "assistant" && message.contains("tool_calls") && message.at("tool_calls").is_array()
                && !message.at("tool_calls").empty()) {
            json calls = json::array();
            for (const auto & call : message.at("tool_calls")) {
                json f = call.value("function", json::object());
                json args = f.value("arguments", json::object());
                if (args.is_string()) {
                    json parsed = json::parse_no_throw(args.get<std::string>());
                    if (!parsed.is_discarded()) {
                        args = parsed;
                    }
                }
                calls.push_back({{"name", f.value("name", std::string())}, {"arguments", args}});
            }
            std::string before = message.contains("content") ? text_of(message.at("content")) : "";
            message = {{"role", "assistant"},
                       {"content", (before.empty() ? "" : before + "\n") + json{{"tool_calls", calls}}.dump()}};
        } else if (from_tool) {
            json result = {{"tool_call_id", message.value("tool_call_id", std::string())},
                           {"content", message.contains("content") ? text_of(message.at("content")) : ""}};
            message = {{"role", "user"}, {"content", json{{"tool_result", result}}.dump()}};
        }
        if (!messages.empty() && json_value(message, "role", std::string()) == "user" && (from_tool || last_from_tool)
                && json_value(messages.back(), "role", std::string()) == "user") {
            messages.back()["content"] = text_of(messages.back().at("content")) + "\n\n" + text_of(message.at("content"));
        } else {
            messages.push_back(message);
        }
        last_from_tool = from_tool;
    }
    if (!messages.empty() && json_value(messages.at(0), "role", std::string()) == "system") {
        messages.at(0)["content"] = text_of(messages.at(0).at("content")) + "\n\n" + text;
        body["messages"] = messages;
    } else {
        json with_system = json::array();
        with_system.push_back({{"role", "system"}, {"content", text}});
        with_system.insert(messages);
        body["messages"] = with_system;
    }
}

/** llama.cpp's JSON tool-call parser and its grammar for the generic shape, in place of a content-only parser. */
void apply_generic_tool_calls(json & params, const json & tools, bool required, bool parallel) {
    std::string generation_prompt = json_value(params, "generation_prompt", std::string());
    common_peg_arena parser = build_chat_peg_parser([&](common_chat_peg_builder & p) {
        auto calls = p.standard_json_tools(GENERIC_CALLS_START, "}", tools, parallel, required, "name", "arguments", true);
        if (required) {
            return p.prefix(generation_prompt) << (calls + p.end());
        }
        return p.prefix(generation_prompt) + p.optional(p.content(p.until(GENERIC_CALLS_START))) + calls + p.end();
    });
    bool lazy = !required;
    params["grammar"] = build_grammar([&](const common_grammar_builder & builder) { parser.build_grammar(builder, lazy); });
    params["grammar_type"] = "tool_calls";
    params["grammar_lazy"] = lazy;
    params["grammar_triggers"] = json::array();
    if (lazy) {
        params["grammar_triggers"].push_back(
                server_grammar_trigger(common_grammar_trigger{COMMON_GRAMMAR_TRIGGER_TYPE_WORD, GENERIC_CALLS_START}).to_json());
    }
    params["chat_parser"] = parser.save();
    params["chat_format"] = static_cast<int>(COMMON_CHAT_FORMAT_PEG_NATIVE);
    params["parse_tool_calls"] = true;
}

// Mistral's templates (Nemo, Small) refuse a call id that is not 9 letters and digits, and
// llama.cpp gives each call a 32-character id: a client sending the call back on the next turn got
// a 400. The ids are only pointers inside the prompt, so each one the template would refuse is
// replaced, in the call and in its result alike, by 9 characters derived from it.
std::string nine_character_id(const std::string & id) {
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t h = 1469598103934665603ULL; // FNV-1a: the same id gives the same replacement on every turn
    for (unsigned char c : id) {
        h = (h ^ c) * 1099511628211ULL;
    }
    std::string out(9, '0');
    for (char & c : out) {
        c = digits[h % 62];
        h /= 62;
    }
    return out;
}

bool is_nine_characters(const std::string & id) {
    return id.size() == 9 && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

void fit_call_ids_to_template(const server_context_meta & meta, json & body) {
    if (!body.contains("messages") || !body.at("messages").is_array()
            || common_chat_templates_source(meta.chat_params.tmpls.get()).find("alphanumeric strings with length 9")
                    == std::string::npos) {
        return;
    }
    auto fit = [](json & holder, const char * key) {
        if (holder.contains(key) && holder.at(key).is_string()) {
            std::string id = holder.at(key).get<std::string>();
            if (!is_nine_characters(id)) {
                holder[key] = nine_character_id(id);
            }
        }
    };
    for (auto & message : body.at("messages")) {
        fit(message, "tool_call_id");
        if (message.contains("tool_calls") && message.at("tool_calls").is_array()) {
            for (auto & call : message.at("tool_calls")) {
                fit(call, "id");
            }
        }
    }
}

/**
 * llama-server's completions pipeline for a chat request (OpenAI's chat shape, or the Responses
 * API's once llama.cpp has converted it), with slm's handling of tool_choice and tool formats.
 */
server_http_res_ptr chat_with_tools(server_routes & routes, const server_http_req & req, json body,
                                    task_response_type response_type) {
    bool required = require_tool_call(body);
    const server_context_meta & meta = *(routes.*private_member(routes_meta{}));
    std::vector<raw_buffer> files;
    fit_call_ids_to_template(meta, body);
    bool generic = needs_generic_tool_calls(meta, body);
    if (generic) {
        describe_tools_in_messages(body, required);
    }
    json as_auto = body;
    json params = oaicompat_chat_params_parse(body, meta.chat_params, files);
    if (generic) {
        apply_generic_tool_calls(params, as_auto.at("tools"), required, json_value(as_auto, "parallel_tool_calls", true));
    } else if (required) {
        as_auto["tool_choice"] = "auto";
        std::vector<raw_buffer> scratch;
        json lazy = oaicompat_chat_params_parse(as_auto, meta.chat_params, scratch);
        constrain_to_tool_calls(params, lazy, json_value(as_auto, "parallel_tool_calls", true));
    }
    return (routes.*private_member(routes_completions{}))(req, SERVER_TASK_TYPE_COMPLETION, params, files, response_type);
}

/** llama-server's chat completions route, with slm's handling of tool_choice. */
server_http_res_ptr chat_completions(server_routes & routes, const server_http_req & req) {
    return chat_with_tools(routes, req, json::parse(req.body), TASK_RESPONSE_TYPE_OAI_CHAT);
}

/**
 * llama-server's Responses route (function tools become chat tools, function_call items come
 * back), with the same tool handling as chat completions: a required or named call
 * ({"type": "function", "name": ...}) is constrained from the first token there too.
 */
server_http_res_ptr responses(server_routes & routes, const server_http_req & req) {
    return chat_with_tools(routes, req, server_chat_convert_responses_to_chatcmpl(json::parse(req.body)),
                           TASK_RESPONSE_TYPE_OAI_RESP);
}
} // namespace

// --- llama-server's OpenAI endpoints, in process: dev.slm.engine.llamacpp.SlmNative.oai* ----------
//
// One pipeline from JSON to slot, llama.cpp's own: the request body goes to the same route
// handler llama-server runs (chat templates with tools, tool-call parsing, response formats,
// log-probabilities, penalties), and the answer comes back as llama-server would send it: one JSON
// body, or for a stream the SSE chunks one by one.
namespace {
struct oai_call {
    std::atomic<bool> stop{false};
    std::function<bool()> should_stop;
    std::unique_ptr<server_http_req> req;
    server_http_res_ptr res;
    bool done = false;
};

oai_call * call_of(jlong h) {
    return reinterpret_cast<oai_call *>(h); // NOLINT(*-no-int-to-ptr)
}
} // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiStart(JNIEnv * env, jclass, jobject jmodel,
                                                                       jstring jroute, jstring jbody) {
    slm_model * m = model_of(env, jmodel);
    if (m == nullptr) {
        return 0;
    }
    auto * call = new oai_call();
    call->should_stop = [call]() { return call->stop.load(); };
    std::string route = to_string(env, jroute);
    call->req.reset(new server_http_req{{}, {}, route, "", to_string(env, jbody), {}, call->should_stop});
    server_routes & r = *m->routes;
    try {
        if (route == "/v1/chat/completions") {
            call->res = chat_completions(r, *call->req);
        } else if (route == "/v1/chat/completions/input_tokens") {
            // The prompt's tokens, images included: only the projector knows how many each takes.
            call->res = r.post_chat_completions_tok(*call->req);
        } else if (route == "/v1/completions") {
            call->res = r.post_completions_oai(*call->req);
        } else if (route == "/v1/responses") {
            call->res = responses(r, *call->req);
        } else if (route == "/v1/embeddings") {
            call->res = r.post_embeddings_oai(*call->req);
        } else if (route == "/apply-template") {
            call->res = r.post_apply_template(*call->req);
        } else if (route == "/tokenize") {
            call->res = r.post_tokenize(*call->req);
        } else {
            throw std::invalid_argument("no such route in llama.cpp's server: " + route);
        }
    } catch (const std::exception & e) {
        // llama-server's HTTP layer turns a handler's exception into a 400 the same way.
        call->res = std::make_unique<server_http_res>();
        call->res->status = 400;
        json error = json::object();
        error["error"] = format_error_response(e.what(), ERROR_TYPE_INVALID_REQUEST);
        call->res->data = error.dump();
    }
    return reinterpret_cast<jlong>(call);
}

/** The HTTP status llama-server would answer with. */
JNIEXPORT jint JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiStatus(JNIEnv *, jclass, jlong h) {
    return call_of(h)->res->status;
}

/** Whether the answer is a stream of SSE chunks (read them with oaiNext) or one body. */
JNIEXPORT jboolean JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiIsStream(JNIEnv *, jclass, jlong h) {
    return call_of(h)->res->is_stream() ? JNI_TRUE : JNI_FALSE;
}

/** The whole body, or for a stream its first chunk. */
JNIEXPORT jbyteArray JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiBody(JNIEnv * env, jclass, jlong h) {
    return to_bytes(env, call_of(h)->res->data);
}

/** The next SSE chunk (possibly empty), or null once the stream has ended. */
JNIEXPORT jbyteArray JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiNext(JNIEnv * env, jclass, jlong h) {
    oai_call * call = call_of(h);
    if (call->done || !call->res->is_stream()) {
        return nullptr;
    }
    std::string chunk;
    try {
        if (!call->res->next(chunk)) {
            call->done = true;
        }
    } catch (const std::exception & e) {
        call->done = true;
        throw_llama(env, e.what());
        return nullptr;
    }
    return to_bytes(env, chunk);
}

/** Asks the generation to stop; callable from any thread. */
JNIEXPORT void JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiCancel(JNIEnv *, jclass, jlong h) {
    call_of(h)->stop = true;
}

/** Ends the call (cancelling what still runs) and frees it; from the thread that reads it. */
JNIEXPORT void JNICALL Java_dev_slm_engine_llamacpp_SlmNative_oaiClose(JNIEnv *, jclass, jlong h) {
    oai_call * call = call_of(h);
    call->stop = true;
    call->res.reset();
    delete call;
}

} // extern "C"
