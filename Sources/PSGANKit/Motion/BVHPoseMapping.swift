import Foundation

/// Turns BVH motion into COCO-18 poses: joints matched by name, the face approximated, projected through a ``BVHCamera``.
///
/// Joint names are compared in lower case without `_`, `-`, `.` and spaces, and without a prefix
/// up to `:` (Mixamo's `mixamorig:`). Each COCO-18 keypoint takes the first name in its list that
/// the skeleton has (``candidates``); CMU's `LeftShoulder` is the collar bone, so `LeftArm` is
/// tried first for the shoulder. The neck is the `Neck` joint, else the midpoint of the shoulders.
/// The face is approximated from the neck `N` and the head `H` (the `Head` joint, or the middle
/// of the head's `End Site` when it has one): with `u` the unit vector from `N` to `H`, `f` the
/// performer's forward and `l` their left (from the shoulders, else the hips) and
/// `r = |H - N| / 2`: nose `H + f r`, eyes `H + f 0.8r + u 0.35r ± l 0.35r`, ears `H ± l 0.9r`.
enum BVHPoseMapping {
    /// For each COCO-18 keypoint, the joint names that can stand for it, best first (normalised).
    static let candidates: [String: [String]] = [
        "Neck": ["neck", "neck1", "neck01"],
        "RShoulder": ["rightarm", "rightupperarm", "rshldr", "rupperarm", "upperarmr", "rightshoulder", "rshoulder"],
        "RElbow": ["rightforearm", "rightlowerarm", "rforearm", "lowerarmr", "rightelbow", "relbow"],
        "RWrist": ["righthand", "rightwrist", "rhand", "handr", "rwrist"],
        "LShoulder": ["leftarm", "leftupperarm", "lshldr", "lupperarm", "upperarml", "leftshoulder", "lshoulder"],
        "LElbow": ["leftforearm", "leftlowerarm", "lforearm", "lowerarml", "leftelbow", "lelbow"],
        "LWrist": ["lefthand", "leftwrist", "lhand", "handl", "lwrist"],
        "RHip": ["rightupleg", "rightupperleg", "rightthigh", "rthigh", "thighr", "righthip", "rhip"],
        "RKnee": ["rightleg", "rightlowerleg", "rightshin", "rshin", "calfr", "rightknee", "rknee"],
        "RAnkle": ["rightfoot", "rightankle", "rfoot", "footr", "rankle"],
        "LHip": ["leftupleg", "leftupperleg", "leftthigh", "lthigh", "thighl", "lefthip", "lhip"],
        "LKnee": ["leftleg", "leftlowerleg", "leftshin", "lshin", "calfl", "leftknee", "lknee"],
        "LAnkle": ["leftfoot", "leftankle", "lfoot", "footl", "lankle"],
        "Head": ["head"],
    ]

    /// `name` lower-cased, without a `prefix:` and without `_`, `-`, `.` and spaces.
    static func normalized(_ name: String) -> String {
        let base = name.split(separator: ":").last.map(String.init) ?? name
        return String(base.lowercased().filter { !"_-. ".contains($0) })
    }

    /// The joint index standing for each of `Head` and the COCO-18 body keypoints, where found.
    static func jointIndices(in bvh: BVHFile) -> [String: Int] {
        var byName: [String: Int] = [:]
        for (i, joint) in bvh.joints.enumerated() where byName[normalized(joint.name)] == nil {
            byName[normalized(joint.name)] = i
        }
        var result: [String: Int] = [:]
        for (keypoint, names) in candidates {
            if let index = names.lazy.compactMap({ byName[$0] }).first { result[keypoint] = index }
        }
        return result
    }

    /// The 3D COCO-18 keypoints of one frame (`nil`: missing).
    static func keypoints3D(_ bvh: BVHFile, frame: Int, indices: [String: Int]) -> [Vector3?] {
        let (positions, endSites) = bvh.globalPositions(frame: frame)
        func joint(_ name: String) -> Vector3? { indices[name].map { positions[$0] } }
        var points = [Vector3?](repeating: nil, count: 18)
        let layout = KeypointLayout.coco18
        for name in ["RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
                     "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle"] {
            points[layout.index(of: name)!] = joint(name)
        }
        let rShoulder = joint("RShoulder"), lShoulder = joint("LShoulder")
        var neck = joint("Neck")
        if neck == nil, let r = rShoulder, let l = lShoulder { neck = (r + l) * 0.5 }
        points[1] = neck
        var head = joint("Head")
        if let h = indices["Head"], let end = endSites[h] { head = (positions[h] + end) * 0.5 }
        guard let n = neck, let h = head, let up = (h - n).normalized else { return points }
        let lateral: Vector3?
        if let r = rShoulder, let l = lShoulder { lateral = l - r }
        else if let r = joint("RHip"), let l = joint("LHip") { lateral = l - r }
        else { lateral = nil }
        guard let leftRaw = lateral, let forward = leftRaw.cross(up).normalized,
              let left = up.cross(forward).normalized else { return points }
        let r = (h - n).length / 2
        points[0] = h + forward * r
        points[14] = h + forward * (0.8 * r) + up * (0.35 * r) - left * (0.35 * r)  // REye
        points[15] = h + forward * (0.8 * r) + up * (0.35 * r) + left * (0.35 * r)  // LEye
        points[16] = h - left * (0.9 * r)  // REar
        points[17] = h + left * (0.9 * r)  // LEar
        return points
    }

    /// The whole motion as COCO-18 poses on the camera's canvas, at the file's frame rate.
    static func poses(_ bvh: BVHFile, camera: BVHCamera, file: String) throws -> PoseSequence {
        if let problem = camera.problem { throw PSGANError(.poses, file: file, problem: problem) }
        let indices = jointIndices(in: bvh)
        let required = ["RHip", "LHip"]
        let found = KeypointLayout.coco18.keypointNames.filter { indices[$0] != nil }
        guard found.count >= 4, required.allSatisfy({ indices[$0] != nil }) else {
            let names = bvh.joints.prefix(8).map(\.name).joined(separator: ", ")
            throw PSGANError(.poses, file: file, problem: "no body joints psgan knows in this skeleton (found \(names)...); it needs at least LeftUpLeg/RightUpLeg (or LeftHip/RightHip) and two more limbs, see docs/pose-format.md")
        }
        let points = (0..<bvh.frames.count).map { keypoints3D(bvh, frame: $0, indices: indices) }

        // Where the camera aims, how it is turned, how tall the performer is.
        var low = Vector3(x: .infinity, y: .infinity, z: .infinity), high = low * -1
        for frame in points {
            for case let p? in frame {
                low = Vector3(x: min(low.x, p.x), y: min(low.y, p.y), z: min(low.z, p.z))
                high = Vector3(x: max(high.x, p.x), y: max(high.y, p.y), z: max(high.z, p.z))
            }
        }
        let target = (low + high) * 0.5
        let first = points[0]
        let lateral0 = first[11].flatMap { l in first[8].map { l - $0 } } ?? Vector3(x: 1, y: 0, z: 0)
        let horizontal = Vector3(x: lateral0.x, y: 0, z: lateral0.z)
        let forward = horizontal.cross(.up).normalized ?? Vector3(x: 0, y: 0, z: 1)
        let frameHeights = points.map { frame -> Double in
            let ys = frame.compactMap { $0?.y }
            return (ys.max() ?? 0) - (ys.min() ?? 0)
        }
        let height = max(frameHeights.max() ?? 1, 1e-6)
        let view = camera.pose(target: target, forward: forward, height: height)

        var projected: [[(x: Double, y: Double)?]] = points.map { frame in
            frame.map { $0.flatMap { camera.project($0, eye: view.eye, right: view.right, up: view.up, back: view.back) } }
        }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for frame in projected {
            for case let p? in frame {
                minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
            }
        }
        guard minX.isFinite, maxX > minX || maxY > minY else {
            throw PSGANError(.poses, file: file, problem: "the camera sees no joints (it may be inside the figure; try a larger distance)")
        }
        let side = min(camera.canvasWidth, camera.canvasHeight)
        let usableW = camera.canvasWidth - 2 * camera.margin * side, usableH = camera.canvasHeight - 2 * camera.margin * side
        let scale = min(usableW / max(maxX - minX, 1e-12), usableH / max(maxY - minY, 1e-12))
        let offsetX = (camera.canvasWidth - (maxX - minX) * scale) / 2 - minX * scale
        let offsetY = (camera.canvasHeight - (maxY - minY) * scale) / 2 - minY * scale
        let frames = projected.indices.map { f in
            projected[f].map { p -> Keypoint in
                guard let p else { return .missing }
                return Keypoint(x: p.x * scale + offsetX, y: p.y * scale + offsetY, confidence: 1)
            }
        }
        projected.removeAll()
        return PoseSequence(layout: "coco18", keypointCount: 18, fps: 1 / bvh.frameTime,
                            canvasWidth: camera.canvasWidth, canvasHeight: camera.canvasHeight, frames: frames)
    }
}
