package dev.slm.hardware;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks the NVIDIA driver's own libraries through JNA: NVML (libnvidia-ml, installed with every
 * desktop and server driver) for name, memory and versions; when NVML is absent (Jetson has none)
 * the CUDA driver library (libcuda), which knows names and total memory but not free memory
 * without creating a context.
 */
final class NvidiaLibraries {
    private static final int NVML_SUCCESS = 0;
    private static final int CUDA_SUCCESS = 0;
    private static final int CU_DEVICE_ATTRIBUTE_INTEGRATED = 18;
    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

    private NvidiaLibraries() {
    }

    static NvidiaQuery live() {
        return () -> {
            if (Platform.isMac()) {
                return NvidiaReport.none("macOS has no NVIDIA driver");
            }
            Optional<Nvml> nvml = load(Nvml.class, Platform.isWindows() ? List.of("nvml") : List.of("libnvidia-ml.so.1", "nvidia-ml"));
            if (nvml.isPresent()) {
                return askNvml(nvml.get());
            }
            Optional<CudaDriver> cuda = load(CudaDriver.class, Platform.isWindows() ? List.of("nvcuda") : List.of("libcuda.so.1", "cuda"));
            return cuda.map(NvidiaLibraries::askCudaDriver)
                    .orElseGet(() -> NvidiaReport.none("neither NVML (libnvidia-ml) nor the CUDA driver (libcuda) could be loaded"));
        };
    }

    private static <T extends Library> Optional<T> load(Class<T> type, List<String> names) {
        for (String name : names) {
            try {
                return Optional.of(Native.load(name, type));
            } catch (UnsatisfiedLinkError e) {
                // try the next name
            }
        }
        return Optional.empty();
    }

    private static NvidiaReport askNvml(Nvml nvml) {
        int rc = nvml.nvmlInit_v2();
        if (rc != NVML_SUCCESS) {
            return NvidiaReport.none("NVML could not start (error " + rc + "): is the NVIDIA driver loaded?");
        }
        try {
            byte[] text = new byte[96];
            Optional<String> driver = nvml.nvmlSystemGetDriverVersion(text, text.length) == NVML_SUCCESS
                    ? Optional.of(cString(text)) : Optional.empty();
            IntByReference value = new IntByReference();
            Optional<String> cuda = nvml.nvmlSystemGetCudaDriverVersion_v2(value) == NVML_SUCCESS
                    ? Optional.of(NvidiaReport.cudaVersion(value.getValue())) : Optional.empty();
            if ((rc = nvml.nvmlDeviceGetCount_v2(value)) != NVML_SUCCESS) {
                return new NvidiaReport("NVML", driver, cuda, List.of(), Optional.of("NVML cannot count GPUs (error " + rc + ")"));
            }
            List<NvidiaGpu> gpus = new ArrayList<>();
            for (int i = 0; i < value.getValue(); i++) {
                PointerByReference handle = new PointerByReference();
                if (nvml.nvmlDeviceGetHandleByIndex_v2(i, handle) != NVML_SUCCESS) {
                    continue;
                }
                Pointer device = handle.getValue();
                String name = nvml.nvmlDeviceGetName(device, text, text.length) == NVML_SUCCESS ? cString(text) : "GPU " + i;
                long[] memory = new long[3]; // nvmlMemory_t: total, free, used
                boolean known = nvml.nvmlDeviceGetMemoryInfo(device, memory) == NVML_SUCCESS;
                IntByReference major = new IntByReference();
                IntByReference minor = new IntByReference();
                String capability = nvml.nvmlDeviceGetCudaComputeCapability(device, major, minor) == NVML_SUCCESS
                        ? major.getValue() + "." + minor.getValue() : "";
                gpus.add(new NvidiaGpu(i, name, known ? memory[0] : 0, known ? memory[1] : -1, false, capability));
            }
            return new NvidiaReport("NVML", driver, cuda, gpus, Optional.empty());
        } finally {
            nvml.nvmlShutdown();
        }
    }

    private static NvidiaReport askCudaDriver(CudaDriver cuda) {
        int rc = cuda.cuInit(0);
        if (rc != CUDA_SUCCESS) {
            return NvidiaReport.none("the CUDA driver could not start (error " + rc + "): no usable GPU or driver");
        }
        IntByReference value = new IntByReference();
        Optional<String> version = cuda.cuDriverGetVersion(value) == CUDA_SUCCESS
                ? Optional.of(NvidiaReport.cudaVersion(value.getValue())) : Optional.empty();
        if ((rc = cuda.cuDeviceGetCount(value)) != CUDA_SUCCESS) {
            return new NvidiaReport("CUDA driver", Optional.empty(), version, List.of(),
                    Optional.of("the CUDA driver cannot count GPUs (error " + rc + ")"));
        }
        List<NvidiaGpu> gpus = new ArrayList<>();
        byte[] text = new byte[256];
        for (int i = 0; i < value.getValue(); i++) {
            IntByReference device = new IntByReference();
            if (cuda.cuDeviceGet(device, i) != CUDA_SUCCESS) {
                continue;
            }
            int d = device.getValue();
            String name = cuda.cuDeviceGetName(text, text.length, d) == CUDA_SUCCESS ? cString(text) : "GPU " + i;
            LongByReference total = new LongByReference();
            cuda.cuDeviceTotalMem_v2(total, d);
            gpus.add(new NvidiaGpu(i, name, total.getValue(), -1, attribute(cuda, CU_DEVICE_ATTRIBUTE_INTEGRATED, d) == 1,
                    attribute(cuda, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d) + "."
                            + attribute(cuda, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d)));
        }
        return new NvidiaReport("CUDA driver", Optional.empty(), version, gpus, Optional.empty());
    }

    private static int attribute(CudaDriver cuda, int attribute, int device) {
        IntByReference v = new IntByReference();
        return cuda.cuDeviceGetAttribute(v, attribute, device) == CUDA_SUCCESS ? v.getValue() : -1;
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }

    /** The few NVML calls slm needs (nvml.h). */
    interface Nvml extends Library {
        int nvmlInit_v2();

        int nvmlShutdown();

        int nvmlSystemGetDriverVersion(byte[] version, int length);

        int nvmlSystemGetCudaDriverVersion_v2(IntByReference version);

        int nvmlDeviceGetCount_v2(IntByReference count);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        /** Fills nvmlMemory_t {total, free, used}, three unsigned 64-bit values. */
        int nvmlDeviceGetMemoryInfo(Pointer device, long[] memory);

        int nvmlDeviceGetCudaComputeCapability(Pointer device, IntByReference major, IntByReference minor);
    }

    /** The few CUDA driver API calls slm needs (cuda.h); size_t is 64-bit on every platform slm runs on. */
    interface CudaDriver extends Library {
        int cuInit(int flags);

        int cuDriverGetVersion(IntByReference version);

        int cuDeviceGetCount(IntByReference count);

        int cuDeviceGet(IntByReference device, int ordinal);

        int cuDeviceGetName(byte[] name, int length, int device);

        int cuDeviceTotalMem_v2(LongByReference bytes, int device);

        int cuDeviceGetAttribute(IntByReference value, int attribute, int device);
    }
}
