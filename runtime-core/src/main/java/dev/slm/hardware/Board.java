package dev.slm.hardware;

import java.util.List;

/**
 * A board described by its device tree (ARM boards: Raspberry Pi, Jetson, Rockchip...).
 *
 * @param model       /proc/device-tree/model, e.g. "Raspberry Pi 5 Model B Rev 1.0"
 * @param compatible  /proc/device-tree/compatible, most specific first, e.g. [raspberrypi,5-model-b, brcm,bcm2712]
 */
public record Board(String model, List<String> compatible) {
    public Board {
        compatible = List.copyOf(compatible);
    }
}
