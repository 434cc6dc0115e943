package dev.slm.hardware;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The devices the Vulkan loader (libvulkan.so.1) reports, asked as ggml's Vulkan backend asks: an
 * instance, its physical devices, their type and name. Only called when a Vulkan profile is in
 * question (it loads every installed Vulkan driver).
 */
public final class VulkanDevices {
    private static final int VK_SUCCESS = 0;
    private static final int VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1;

    /** One physical device: its name and VkPhysicalDeviceType (1 integrated, 2 discrete, 3 virtual, 4 cpu). */
    public record Device(String name, int type) {
        public boolean cpu() {
            return type == 4;
        }

        public String describe() {
            String kind = switch (type) {
                case 1 -> "integrated GPU";
                case 2 -> "discrete GPU";
                case 3 -> "virtual GPU";
                case 4 -> "CPU";
                default -> "other";
            };
            return name + " (" + kind + ")";
        }
    }

    private VulkanDevices() {
    }

    /** The devices, or empty when the loader cannot be loaded or cannot create an instance (no driver). */
    public static Optional<List<Device>> list() {
        Vulkan vk;
        try {
            vk = Native.load("libvulkan.so.1", Vulkan.class);
        } catch (UnsatisfiedLinkError e) {
            return Optional.empty();
        }
        // VkInstanceCreateInfo: sType, pNext, flags, pApplicationInfo, layers, extensions (64 bytes, all 0 but sType).
        Memory info = new Memory(64);
        info.clear();
        info.setInt(0, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
        PointerByReference instance = new PointerByReference();
        if (vk.vkCreateInstance(info, null, instance) != VK_SUCCESS) {
            return Optional.of(List.of());
        }
        try {
            IntByReference count = new IntByReference();
            if (vk.vkEnumeratePhysicalDevices(instance.getValue(), count, null) != VK_SUCCESS || count.getValue() == 0) {
                return Optional.of(List.of());
            }
            Pointer[] handles = new Pointer[count.getValue()];
            vk.vkEnumeratePhysicalDevices(instance.getValue(), count, handles);
            List<Device> devices = new ArrayList<>();
            for (Pointer h : handles) {
                if (h == null) {
                    continue;
                }
                // VkPhysicalDeviceProperties (824 bytes): deviceType at 16, deviceName[256] at 20.
                Memory props = new Memory(1024);
                props.clear();
                vk.vkGetPhysicalDeviceProperties(h, props);
                devices.add(new Device(props.getString(20).strip(), props.getInt(16)));
            }
            return Optional.of(List.copyOf(devices));
        } finally {
            vk.vkDestroyInstance(instance.getValue(), null);
        }
    }

    /** The few Vulkan calls slm needs (vulkan_core.h). */
    interface Vulkan extends Library {
        int vkCreateInstance(Pointer createInfo, Pointer allocator, PointerByReference instance);

        int vkEnumeratePhysicalDevices(Pointer instance, IntByReference count, Pointer[] devices);

        void vkGetPhysicalDeviceProperties(Pointer device, Pointer properties);

        void vkDestroyInstance(Pointer instance, Pointer allocator);
    }
}
