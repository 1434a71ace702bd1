import Foundation
import Testing
@testable import PSGANKit

/// A two-joint skeleton: a root with position and Z/Y/X rotations, a child one unit along X with
/// rotations in `childOrder`, and an End Site one unit along Y from the child.
private func twoJointBVH(childOrder: String = "Zrotation Xrotation Yrotation", frames: [String]) -> String {
    """
    HIERARCHY
    ROOT Hips
    {
      OFFSET 0 0 0
      CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
      JOINT Child
      {
        OFFSET 1 0 0
        CHANNELS \(childOrder.split(separator: " ").count) \(childOrder)
        End Site
        {
          OFFSET 0 1 0
        }
      }
    }
    MOTION
    Frames: \(frames.count)
    Frame Time: 0.1
    \(frames.joined(separator: "\n"))

    """
}

private func parse(_ text: String, file: String = "t.bvh") throws -> BVHFile {
    try BVHFile(data: Data(text.utf8), file: file)
}

private func close(_ a: Vector3, _ b: Vector3, _ tolerance: Double = 1e-9) -> Bool {
    (a - b).length <= tolerance
}

/// The PSGANError message that parsing `text` throws.
private func parseFailure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try parse(text)
        Issue.record("expected a PSGANError", sourceLocation: sourceLocation)
    } catch let error as PSGANError where error.kind == .poses {
        return error.description
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

/// A small standing figure facing +Z (Y up): hips, legs, spine, neck, head, arms; one frame, no rotation.
private let figureBVH = """
    HIERARCHY
    ROOT Hips
    {
      OFFSET 0 10 0
      CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
      JOINT LeftUpLeg
      { OFFSET 1 0 0 CHANNELS 3 Zrotation Xrotation Yrotation
        JOINT LeftLeg { OFFSET 0 -4 0 CHANNELS 3 Zrotation Xrotation Yrotation
          JOINT LeftFoot { OFFSET 0 -4 0 CHANNELS 3 Zrotation Xrotation Yrotation End Site { OFFSET 0 0 1 } } } }
      JOINT RightUpLeg
      { OFFSET -1 0 0 CHANNELS 3 Zrotation Xrotation Yrotation
        JOINT RightLeg { OFFSET 0 -4 0 CHANNELS 3 Zrotation Xrotation Yrotation
          JOINT RightFoot { OFFSET 0 -4 0 CHANNELS 3 Zrotation Xrotation Yrotation End Site { OFFSET 0 0 1 } } } }
      JOINT Spine
      { OFFSET 0 3 0 CHANNELS 3 Zrotation Xrotation Yrotation
        JOINT Neck { OFFSET 0 3 0 CHANNELS 3 Zrotation Xrotation Yrotation
          JOINT Head { OFFSET 0 1 0 CHANNELS 3 Zrotation Xrotation Yrotation End Site { OFFSET 0 1 0 } } }
        JOINT LeftArm { OFFSET 2 3 0 CHANNELS 3 Zrotation Xrotation Yrotation
          JOINT LeftForeArm { OFFSET 2 0 0 CHANNELS 3 Zrotation Xrotation Yrotation
            JOINT LeftHand { OFFSET 2 0 0 CHANNELS 3 Zrotation Xrotation Yrotation End Site { OFFSET 1 0 0 } } } }
        JOINT RightArm { OFFSET -2 3 0 CHANNELS 3 Zrotation Xrotation Yrotation
          JOINT RightForeArm { OFFSET -2 0 0 CHANNELS 3 Zrotation Xrotation Yrotation
            JOINT RightHand { OFFSET -2 0 0 CHANNELS 3 Zrotation Xrotation Yrotation End Site { OFFSET -1 0 0 } } } }
      }
    }
    MOTION
    Frames: 1
    Frame Time: 0.0333333
    \(Array(repeating: "0", count: 6 + 15 * 3).joined(separator: " "))

    """

@Suite struct BVHTests {
    @Test func forwardKinematicsOfTwoJointsWithA90DegreeRotation() throws {
        let bvh = try parse(twoJointBVH(frames: ["0 0 0 90 0 0 0 0 0", "5 0 0 0 0 0 90 0 0"]))
        #expect(bvh.joints.map(\.name) == ["Hips", "Child"])
        #expect(bvh.joints[1].parent == 0 && bvh.channelCount == 9 && bvh.frameTime == 0.1)
        // Frame 0: the root turns 90 degrees about Z, so the child's (1, 0, 0) goes to (0, 1, 0)
        // and its end site's (0, 1, 0), turned by the same 90 degrees, to (-1, 0, 0) from it.
        let (joints0, ends0) = bvh.globalPositions(frame: 0)
        #expect(close(joints0[0], .zero))
        #expect(close(joints0[1], Vector3(x: 0, y: 1, z: 0)))
        #expect(close(ends0[1]!, Vector3(x: -1, y: 1, z: 0)))
        #expect(ends0[0] == nil)
        // Frame 1: the root moves to x = 5; the child turns 90 degrees about Z itself.
        let (joints1, ends1) = bvh.globalPositions(frame: 1)
        #expect(close(joints1[1], Vector3(x: 6, y: 0, z: 0)))
        #expect(close(ends1[1]!, Vector3(x: 5, y: 0, z: 0)))
    }

    @Test func rotationsComposeInTheOrderListed() throws {
        // X then Y listed: R = Rx(90) * Ry(90); the end site's (0, 1, 0) becomes Rx(Ry(0, 1, 0)) = (0, 0, 1).
        // Y then X listed: R = Ry(90) * Rx(90): Rx takes (0, 1, 0) to (0, 0, 1), Ry that to (1, 0, 0).
        let xy = try parse(twoJointBVH(childOrder: "Xrotation Yrotation", frames: ["0 0 0 0 0 0 90 90"]))
        let yx = try parse(twoJointBVH(childOrder: "Yrotation Xrotation", frames: ["0 0 0 0 0 0 90 90"]))
        #expect(close(xy.globalPositions(frame: 0).endSites[1]!, Vector3(x: 1, y: 0, z: 1)))
        #expect(close(yx.globalPositions(frame: 0).endSites[1]!, Vector3(x: 2, y: 0, z: 0)))
    }

    @Test func malformedBVHFilesGiveOneLineNamingTheProblem() {
        #expect(parseFailure(twoJointBVH(frames: ["0 0 0 0 0 0 0 0 0", "0 0 0 0 0"]))
            .hasPrefix("t.bvh: frame 1: line 20: has 5 values; the HIERARCHY has 9 channels"))
        #expect(parseFailure(twoJointBVH(frames: ["0 0 0 0 0 0 0 0 x"]))
            .hasPrefix("t.bvh: frame 0: line 19: value 8 is not a finite number"))
        #expect(parseFailure(twoJointBVH(frames: ["0 0 0 0 0 0 0 0 0"]).replacingOccurrences(of: "Frames: 1", with: "Frames: 3"))
            == #"t.bvh: "Frames:" says 3 but the file has 1 (truncated?)"#)
        #expect(parseFailure(twoJointBVH(childOrder: "Zrotation Xrotation Wrotation", frames: ["0"]))
            .contains("line 9: unknown channel \"Wrotation\" in joint Child"))
        #expect(parseFailure(String(twoJointBVH(frames: ["0"]).prefix(60))) == "t.bvh: no MOTION section (the file may be truncated)")
        #expect(parseFailure(twoJointBVH(frames: ["0"]).replacingOccurrences(of: "OFFSET 1 0 0", with: "OFFSET 1 nan 0"))
            .contains("line 8: OFFSET y is not a finite number"))
        #expect(parseFailure("{\"format\": 1}") == "t.bvh: not a BVH file (no HIERARCHY)")
    }

    @Test func jointNamesMapToCOCO18AndTheFaceIsApproximated() throws {
        let bvh = try parse(figureBVH)
        let indices = BVHPoseMapping.jointIndices(in: bvh)
        #expect(indices["LShoulder"] == bvh.index(of: "LeftArm"))
        #expect(indices["RKnee"] == bvh.index(of: "RightLeg"))
        #expect(BVHPoseMapping.normalized("mixamorig:Left_Up-Leg") == "leftupleg")
        let points = BVHPoseMapping.keypoints3D(bvh, frame: 0, indices: indices)
        #expect(points.allSatisfy { $0 != nil })
        // Neck at (0, 16, 0); head centre halfway to the head's end site: (0, 17.5, 0); r = 0.75.
        #expect(close(points[1]!, Vector3(x: 0, y: 16, z: 0)))
        #expect(close(points[0]!, Vector3(x: 0, y: 17.5, z: 0.75)))           // nose, forward is +Z
        #expect(close(points[17]!, Vector3(x: 0.675, y: 17.5, z: 0)))        // LEar on the left, +X
        #expect(close(points[5]!, Vector3(x: 2, y: 16, z: 0)))               // LShoulder = LeftArm
        #expect(close(points[13]!, Vector3(x: 1, y: 2, z: 0)))               // LAnkle = LeftFoot
    }

    @Test func cameraViewsFrontSideAndBack() throws {
        let bvh = try parse(figureBVH)
        func frame(_ camera: BVHCamera) throws -> [Keypoint] {
            let poses = try BVHPoseMapping.poses(bvh, camera: camera, file: "f.bvh")
            #expect(poses.layout == "coco18" && poses.frameCount == 1 && poses.canvasWidth == camera.canvasWidth)
            #expect(abs(poses.fps! - 30) < 0.001)
            return poses.frames[0]
        }
        // Front, orthographic: the performer's left (LHip, 11) is on the image's right; the head is up.
        let front = try frame(BVHCamera(projection: .orthographic, canvasWidth: 200, canvasHeight: 100, margin: 0))
        #expect(front[11].x > front[8].x)
        #expect(front[0].y < front[10].y)
        // The figure fills the height exactly (margin 0): head end to feet.
        let ys = front.map(\.y)
        #expect(abs(ys.min()! - 0) < 1e-9 && abs(ys.max()! - 100) < 1e-9)
        // From behind, left and right change sides; from the side they line up.
        let back = try frame(BVHCamera(azimuth: 180, projection: .orthographic))
        #expect(back[11].x < back[8].x)
        let side = try frame(BVHCamera(azimuth: 90, projection: .orthographic))
        #expect(abs(side[11].x - side[8].x) < 1e-6)
        #expect(side[0].x < side[1].x)  // seen from their left, the nose points to the image's left
        // Perspective from close by: nearer points spread more, but the order is the same.
        let near = try frame(BVHCamera(distance: 1.5))
        #expect(near[11].x > near[8].x)
        expectError(.poses) { try BVHPoseMapping.poses(bvh, camera: BVHCamera(elevation: 90), file: "f.bvh") }
    }

    @Test func bundledCMUMotionParsesAndProjects() throws {
        let url = TestPaths.repository.appendingPathComponent("motion/cmu-01_01.bvh")
        let bvh = try BVHFile(contentsOf: url)
        #expect(bvh.joints.count == 31)
        #expect(bvh.frames.count == 2752)
        #expect(abs(bvh.frameTime - 0.0083333) < 1e-9)
        let indices = BVHPoseMapping.jointIndices(in: bvh)
        for name in ["Neck", "Head", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
                     "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle"] {
            #expect(indices[name] != nil, "\(name)")
        }
        #expect(indices["LShoulder"] == bvh.index(of: "LeftArm"))
        let poses = try PoseFileReader.read(url)
        #expect(poses.frameCount == 2752 && poses.keypointCount == 18)
        #expect(poses.frames.allSatisfy { $0.allSatisfy(\.isPresent) })
        let box = try #require(FigureBounds(poses))
        #expect(box.minY >= 51.2 - 1e-6 && box.maxY <= 460.8 + 1e-6)  // 10 % margin on 512
    }
}
