#!/usr/bin/env python3
"""Write poses/walk.json: a procedural walk cycle of a stick figure in the psgan pose format.

The figure walks on the spot, facing right and turned a little towards the viewer (a side-ish,
three-quarter view), in OpenPose's COCO-18 keypoint layout: 120 frames at 30 fps on a
512 x 512 canvas, about 400 px tall and centred. Legs swing with the knee bending in the swing
phase, arms swing against the legs, and the body bobs as the stance leg passes under the hip.

Usage: python3 tools/make_walk_pose.py [output path]   (default: poses/walk.json next to tools/)
Standard library only; the output is deterministic.
"""

import json
import math
import os
import sys

FRAMES = 120
FPS = 30
CANVAS = 512
CYCLE_FRAMES = 30            # one full gait cycle (two steps) per second
HEIGHT = 400.0               # head top to sole with straight legs, in px
TURN = math.radians(25)      # body turned this far from a pure profile towards the viewer

COCO18 = ["Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
          "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar"]

# Body proportions as fractions of HEIGHT.
SHOULDER_DROP = 0.18         # head top to shoulder line
HIP_DROP = 0.52              # head top to hip line
ANKLE_DROP = 0.96            # head top to ankle (the sole is at 1.0)
THIGH = (ANKLE_DROP - HIP_DROP) / 2
SHIN = THIGH
UPPER_ARM = 0.19
FOREARM = 0.16
HALF_SHOULDERS = 0.11        # half the shoulder width
HALF_HIPS = 0.08             # half the hip width


def project(forward, up, right, origin_x, origin_y):
    """Image position of a point given in the body frame (px): x right, y down.

    The body faces image-right, turned by TURN towards the viewer, so its right side shows
    slightly to the image right (and lies farther away) and its left side to the image left.
    """
    x = origin_x + forward * math.cos(TURN) + right * math.sin(TURN)
    y = origin_y - up
    return x, y


def limb(angle_deg, bend_deg, upper, lower, bend_forward):
    """End points (forward, down) of a two-segment limb hanging from its root.

    angle_deg swings the upper segment forward (+) or back (-) from vertical; bend_deg is the
    joint flexion. Knees bend backwards (bend_forward=False), elbows forwards (True).
    """
    a = math.radians(angle_deg)
    mid = (upper * math.sin(a), upper * math.cos(a))
    b = a + math.radians(bend_deg) * (1 if bend_forward else -1)
    end = (mid[0] + lower * math.sin(b), mid[1] + lower * math.cos(b))
    return mid, end


def leg(phase):
    """Knee and ankle (forward, down) from the hip for a leg at gait phase (radians)."""
    swing = 24.0 * math.sin(phase)                   # thigh: forward when sin > 0
    # The knee bends most in mid-swing (thigh moving forward, cos > 0), a little in stance.
    swing_bend = max(0.0, math.cos(phase)) ** 1.5
    knee_bend = 6.0 + 52.0 * swing_bend
    return limb(swing, knee_bend, THIGH * HEIGHT, SHIN * HEIGHT, bend_forward=False)


def arm(phase):
    """Elbow and wrist (forward, down) from the shoulder; the arm swings against its leg."""
    swing = -20.0 * math.sin(phase)
    elbow_bend = 12.0 + 22.0 * max(0.0, -math.sin(phase))   # more bent on the forward swing
    return limb(swing, elbow_bend, UPPER_ARM * HEIGHT, FOREARM * HEIGHT, bend_forward=True)


def frame(t):
    phase = 2 * math.pi * t / CYCLE_FRAMES
    right_phase, left_phase = phase, phase + math.pi

    r_knee, r_ankle = leg(right_phase)
    l_knee, l_ankle = leg(left_phase)
    r_elbow, r_wrist = arm(right_phase)
    l_elbow, l_wrist = arm(left_phase)

    # Vertical position: the lower ankle rests at ankle height above the ground, so the body
    # rises as a straight stance leg passes under the hip and sinks in double support.
    top = (CANVAS - HEIGHT) / 2                     # head top with straight legs
    ground_ankle_y = top + ANKLE_DROP * HEIGHT
    hip_y = ground_ankle_y - max(r_ankle[1], l_ankle[1])
    hip_x = CANVAS / 2
    lean = 0.02 * HEIGHT                            # upper body leans slightly forward

    def at(forward, down_from_hip, right, dx=0.0):
        return project(forward + dx, -down_from_hip, right, hip_x, hip_y)

    shoulder_down = -(HIP_DROP - SHOULDER_DROP) * HEIGHT   # shoulders above the hip
    neck = at(lean, shoulder_down, 0)
    r_shoulder = at(lean, shoulder_down, HALF_SHOULDERS * HEIGHT)
    l_shoulder = at(lean, shoulder_down, -HALF_SHOULDERS * HEIGHT)

    def arm_point(side, point):
        return at(lean + point[0], shoulder_down + point[1], side * HALF_SHOULDERS * HEIGHT)

    def leg_point(side, point):
        return at(point[0], point[1], side * HALF_HIPS * HEIGHT)

    # Head: centre a little forward of the neck; nose ahead of it, eyes just above the nose,
    # ears at eye level, behind the eyes and to either side.
    head_down = -(HIP_DROP - 0.09) * HEIGHT
    head_nod = 0.004 * HEIGHT * math.cos(2 * phase)
    head = lambda fwd, down, right: at(lean + 0.03 * HEIGHT + fwd, head_down + down + head_nod, right)
    nose = head(0.06 * HEIGHT, 0.005 * HEIGHT, 0)
    r_eye = head(0.045 * HEIGHT, -0.012 * HEIGHT, 0.025 * HEIGHT)
    l_eye = head(0.045 * HEIGHT, -0.012 * HEIGHT, -0.025 * HEIGHT)
    r_ear = head(-0.01 * HEIGHT, -0.005 * HEIGHT, 0.06 * HEIGHT)
    l_ear = head(-0.01 * HEIGHT, -0.005 * HEIGHT, -0.06 * HEIGHT)

    points = {
        "Nose": nose, "Neck": neck,
        "RShoulder": r_shoulder, "RElbow": arm_point(1, r_elbow), "RWrist": arm_point(1, r_wrist),
        "LShoulder": l_shoulder, "LElbow": arm_point(-1, l_elbow), "LWrist": arm_point(-1, l_wrist),
        "RHip": leg_point(1, (0, 0)), "RKnee": leg_point(1, r_knee), "RAnkle": leg_point(1, r_ankle),
        "LHip": leg_point(-1, (0, 0)), "LKnee": leg_point(-1, l_knee), "LAnkle": leg_point(-1, l_ankle),
        "REye": r_eye, "LEye": l_eye, "REar": r_ear, "LEar": l_ear,
    }
    # The body's right side is the far side: a detector would be a little less sure of it, and
    # the far ear is mostly hidden behind the head.
    confidence = {name: (0.82 if name.startswith("R") else 0.93) for name in COCO18}
    confidence.update({"Nose": 0.95, "Neck": 0.94, "REar": 0.45, "REye": 0.8})
    # A gentle, deterministic wobble, as real detections have.
    out = []
    for i, name in enumerate(COCO18):
        x, y = points[name]
        c = confidence[name] - 0.03 * (0.5 + 0.5 * math.sin(0.7 * t + 1.3 * i))
        out.append([round(x, 2), round(y, 2), round(c, 3)])
    return out


def number(value):
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "poses", "walk.json")
    frames = [frame(t) for t in range(FRAMES)]
    lines = [
        '{"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": %d,' % FPS,
        ' "canvas": {"width": %d, "height": %d},' % (CANVAS, CANVAS),
        ' "keypoint_names": %s,' % json.dumps(COCO18),
        ' "frames": [',
    ]
    for i, f in enumerate(frames):
        row = ", ".join("[%s, %s, %s]" % tuple(number(v) for v in k) for k in f)
        lines.append("  [" + row + "]" + ("," if i < len(frames) - 1 else ""))
    lines.append(" ]}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # sanity check: it is valid JSON
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    ys = [k[1] for f in frames for k in f]
    print(f"wrote {os.path.normpath(path)}: {FRAMES} frames, y from {min(ys):.1f} to {max(ys):.1f}")


if __name__ == "__main__":
    main()
