#!/usr/bin/env python3
"""Write procedural pose cycles to poses/: run.json, wave.json, jump.json and dance.json.

Each is a stick figure in OpenPose's COCO-18 layout, 90 frames (3 s) at 30 fps on a 512 x 512
canvas, about 400 px tall, built by 2D forward kinematics: a hip centre, a torso, and limbs given
as angles from straight down (positive towards the image's right). `run` is seen from the side
(facing right, so the far ear is missing); `wave`, `jump` and `dance` face the viewer (the
person's right on the image's left). Every cycle loops: frame 90 would equal frame 0.

Usage: python3 tools/make_pose_cycles.py [output directory]   (default: poses/ next to tools/)
Standard library only; the output is deterministic.
"""

import json
import math
import os
import sys

FPS = 30
FRAMES = 90
CANVAS = 512
H = 400.0                     # figure height in px
TORSO, NECK_HEAD = 0.30 * H, 0.10 * H
THIGH, SHIN = 0.24 * H, 0.23 * H
UPPER_ARM, FOREARM = 0.17 * H, 0.15 * H
HALF_SHOULDERS, HALF_HIPS = 0.10 * H, 0.06 * H
GROUND = 470.0                # ankle height of a standing figure

NAMES = ["Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
         "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar"]


def limb(start, angle_deg, length):
    a = math.radians(angle_deg)
    return (start[0] + length * math.sin(a), start[1] + length * math.cos(a))


def figure(hip, lean, r_arm, l_arm, r_leg, l_leg, side=False, head_tilt=0.0, leg_scale=(1.0, 1.0)):
    """Keypoints for a pose; arms and legs are (upper angle, lower angle) pairs in degrees."""
    neck = limb(hip, 180 + lean, TORSO)
    k = {"Neck": neck}
    shoulder = 0.15 * HALF_SHOULDERS if side else HALF_SHOULDERS
    hip_half = 0.15 * HALF_HIPS if side else HALF_HIPS
    k["RShoulder"] = (neck[0] - shoulder, neck[1])
    k["LShoulder"] = (neck[0] + shoulder, neck[1])
    k["RHip"] = (hip[0] - hip_half, hip[1])
    k["LHip"] = (hip[0] + hip_half, hip[1])
    for side_name, (upper, lower) in (("R", r_arm), ("L", l_arm)):
        elbow = limb(k[side_name + "Shoulder"], upper, UPPER_ARM)
        k[side_name + "Elbow"] = elbow
        k[side_name + "Wrist"] = limb(elbow, lower, FOREARM)
    for i, (side_name, (upper, lower)) in enumerate((("R", r_leg), ("L", l_leg))):
        knee = limb(k[side_name + "Hip"], upper, THIGH * leg_scale[i])
        k[side_name + "Knee"] = knee
        k[side_name + "Ankle"] = limb(knee, lower, SHIN * leg_scale[i])
    head = limb(neck, 180 + lean + head_tilt, NECK_HEAD)
    missing = set()
    if side:
        k["Nose"] = (head[0] + 0.05 * H, head[1] + 0.01 * H)
        k["REye"] = (head[0] + 0.035 * H, head[1] - 0.012 * H)
        k["LEye"] = (head[0] + 0.045 * H, head[1] - 0.014 * H)
        k["REar"] = (head[0] - 0.01 * H, head[1])
        k["LEar"] = (0.0, 0.0)
        missing.add("LEar")
    else:
        t = math.radians(head_tilt)
        def around(dx, dy):
            return (head[0] + dx * math.cos(t) - dy * math.sin(t), head[1] + dx * math.sin(t) + dy * math.cos(t))
        k["Nose"] = around(0, 0.01 * H)
        k["REye"] = around(-0.022 * H, -0.012 * H)
        k["LEye"] = around(0.022 * H, -0.012 * H)
        k["REar"] = around(-0.045 * H, -0.002 * H)
        k["LEar"] = around(0.045 * H, -0.002 * H)
    return [[0, 0, 0] if n in missing else [round(k[n][0], 2), round(k[n][1], 2), 1] for n in NAMES]


def standing_hip():
    return (CANVAS / 2, GROUND - THIGH - SHIN)


def run(f):
    p = 2 * math.pi * f / 20                      # 20 frames per stride pair (1.5 strides/s)
    hip = (CANVAS / 2, standing_hip()[1] + 14 - 12 * abs(math.cos(p)))
    def leg(phase):
        thigh = 10 + 38 * math.sin(phase)
        bend = 20 + 55 * (0.5 - 0.5 * math.cos(phase - 1.2))
        return (thigh, thigh - bend)
    def arm(phase):
        upper = -35 * math.sin(phase)
        return (upper, upper + 85)
    return figure(hip, 12, arm(p), arm(p + math.pi), leg(p), leg(p + math.pi), side=True)


def wave(f):
    p = 2 * math.pi * f / 30                      # one wave a second
    hip = (CANVAS / 2 + 4 * math.sin(p / 3), standing_hip()[1])
    r_arm = (-125, -175 + 28 * math.sin(p))       # raised to the image's left, forearm waving
    l_arm = (10, 6)
    sway = 3 * math.sin(p / 3)
    return figure(hip, sway, r_arm, l_arm, (-4 - sway, -3 - sway), (4 - sway, 3 - sway), head_tilt=-8 * math.sin(p / 3))


def jump(f):
    p = (f % 30) / 30                             # one jump a second
    crouch = math.sin(math.pi * p / 0.3) if p < 0.3 else (math.sin(math.pi * (p - 0.85) / 0.15) if p > 0.85 else 0.0)
    air = math.sin(math.pi * (p - 0.3) / 0.55) if 0.3 <= p <= 0.85 else 0.0
    bend = 60 * max(crouch, 0)                    # knee bend in degrees, seen from the front as shortening
    scale = math.cos(math.radians(bend / 2))
    hip = (CANVAS / 2, standing_hip()[1] + 20 + (THIGH + SHIN) * (1 - scale) - 60 * air)
    spread = 6 + 10 * max(crouch, 0)
    arms_up = 20 + 110 * air - 10 * max(crouch, 0)
    r_arm = (-arms_up, -arms_up - 10)
    l_arm = (arms_up, arms_up + 10)
    return figure(hip, 0, r_arm, l_arm, (-spread, -spread + 8), (spread, spread - 8),
                  leg_scale=(scale, scale))


def dance(f):
    p = 2 * math.pi * f / 45                      # a two-count groove, 1.5 s per cycle
    hip = (CANVAS / 2 + 35 * math.sin(p), standing_hip()[1] + 10 * (1 - math.cos(2 * p)))
    lean = -8 * math.sin(p)
    r_up = -(70 + 70 * (0.5 + 0.5 * math.sin(p)))
    l_up = 70 + 70 * (0.5 + 0.5 * math.sin(p + math.pi))
    r_arm = (r_up, r_up - 50 * math.cos(p))
    l_arm = (l_up, l_up + 50 * math.cos(p))
    step = 12 * math.sin(2 * p)
    r_leg = (-8 - lean - step, -4 - lean - step / 2)
    l_leg = (8 - lean + step, 4 - lean + step / 2)
    return figure(hip, lean, r_arm, l_arm, r_leg, l_leg, head_tilt=12 * math.sin(p))


def write(path, frames):
    lines = ['{"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": %d,' % FPS,
             ' "canvas": {"width": %d, "height": %d},' % (CANVAS, CANVAS),
             ' "keypoint_names": %s,' % json.dumps(NAMES),
             ' "frames": [']
    body = ["  " + json.dumps(frame, separators=(", ", ", ")).replace(".0,", ",").replace(".0]", "]") for frame in frames]
    lines.append(",\n".join(body))
    lines.append(" ]}")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "poses")
    for name, fn in (("run", run), ("wave", wave), ("jump", jump), ("dance", dance)):
        path = os.path.join(directory, name + ".json")
        write(path, [fn(f) for f in range(FRAMES)])
        print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
