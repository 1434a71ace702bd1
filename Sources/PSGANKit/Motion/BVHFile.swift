import Foundation

/// A BVH motion capture file: a skeleton (HIERARCHY) and its channel values per frame (MOTION).
///
/// Every joint has an `OFFSET` from its parent and a list of `CHANNELS`, any of `Xposition`,
/// `Yposition`, `Zposition`, `Xrotation`, `Yrotation`, `Zrotation` in any order. Rotations are in
/// degrees and compose in the order listed: `Zrotation Xrotation Yrotation` is the matrix
/// `Rz * Rx * Ry` applied to column vectors. Position channels are added to the offset. A joint's
/// global transform is its parent's times `T(offset + position) * R`; see ``globalPositions(frame:)``.
struct BVHFile: Sendable {
    /// One channel: a translation or a rotation about an axis (0: X, 1: Y, 2: Z).
    enum Channel: Equatable, Sendable {
        case position(Int)
        case rotation(Int)
    }

    /// One joint of the skeleton.
    struct Joint: Sendable {
        var name: String
        /// The parent's index in ``joints``; `nil` for a root.
        var parent: Int?
        var offset: Vector3
        var channels: [Channel]
        /// Where this joint's `End Site` is, relative to it, if it has one.
        var endSite: Vector3?
        /// The index of this joint's first channel in a frame's values.
        var firstChannel: Int
    }

    /// The joints, parents before children, in file order.
    var joints: [Joint]
    /// Seconds per frame (`Frame Time`).
    var frameTime: Double
    /// The channel values of each frame, `channelCount` per frame.
    var frames: [[Double]]

    /// The number of values in one frame.
    var channelCount: Int { joints.reduce(0) { $0 + $1.channels.count } }

    /// Reads and parses the BVH file at `url`; every problem is a ``PSGANError`` naming the file.
    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PSGANError(.poses, url: url, problem: "cannot read (\(ErrorText.reason(error)))")
        }
        try self.init(data: data, file: PSGANError.displayPath(of: url))
    }

    /// Parses BVH text; `file` names the source in errors.
    init(data: Data, file: String) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw PSGANError(.poses, file: file, problem: "not UTF-8 text, so not a BVH file")
        }
        var parser = Parser(file: file, lines: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline))
        try parser.parse()
        joints = parser.joints
        frameTime = parser.frameTime
        frames = parser.frames
    }

    /// The index of the joint called `name` (exact match), if any.
    func index(of name: String) -> Int? { joints.firstIndex { $0.name == name } }

    /// Forward kinematics: every joint's global position in `frame`, and each joint's `End Site`
    /// position (`nil` where it has none).
    func globalPositions(frame: Int) -> (joints: [Vector3], endSites: [Vector3?]) {
        let values = frames[frame]
        var transforms: [RigidTransform] = []
        transforms.reserveCapacity(joints.count)
        var ends: [Vector3?] = []
        for joint in joints {
            var translation = joint.offset
            var rotation = RigidTransform.identity
            for (i, channel) in joint.channels.enumerated() {
                let value = values[joint.firstChannel + i]
                switch channel {
                case .position(0): translation.x += value
                case .position(1): translation.y += value
                case .position(_): translation.z += value
                case .rotation(let axis): rotation = rotation * .rotation(axis: axis, degrees: value)
                }
            }
            var local = rotation
            local.translation = translation
            let global = joint.parent.map { transforms[$0] * local } ?? local
            transforms.append(global)
            ends.append(joint.endSite.map { global.apply($0) })
        }
        return (transforms.map(\.translation), ends)
    }

    /// A line-by-line BVH parser.
    private struct Parser {
        let file: String
        let lines: [Substring]
        var joints: [Joint] = []
        var frameTime = 0.0
        var frames: [[Double]] = []

        /// The tokens still to read in the HIERARCHY, with their 1-based line numbers.
        private var tokens: [(text: Substring, line: Int)] = []
        private var position = 0
        private var channelTotal = 0

        init(file: String, lines: [Substring]) {
            self.file = file
            self.lines = lines
        }

        private func fail(_ problem: String, line: Int? = nil, frame: Int? = nil) -> PSGANError {
            PSGANError(.poses, file: file, frame: frame, problem: (line.map { "line \($0): " } ?? "") + problem)
        }

        mutating func parse() throws {
            // The hierarchy runs until the line that starts with MOTION.
            guard let motionLine = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).uppercased().hasPrefix("MOTION") }) else {
                if lines.contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("HIERARCHY") }) {
                    throw fail("no MOTION section (the file may be truncated)")
                }
                throw fail("not a BVH file (no HIERARCHY)")
            }
            for (i, line) in lines[..<motionLine].enumerated() {
                for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                    tokens.append((token, i + 1))
                }
            }
            try expect("HIERARCHY")
            while position < tokens.count {
                try expect("ROOT")
                try parseJoint(parent: nil)
            }
            guard !joints.isEmpty else { throw fail("the HIERARCHY has no ROOT joint") }
            try parseMotion(from: motionLine)
        }

        private var lineNumber: Int { position < tokens.count ? tokens[position].line : (tokens.last?.line ?? 1) }

        private mutating func next(_ what: String) throws -> Substring {
            guard position < tokens.count else {
                throw fail("the HIERARCHY ends early (expected \(what))", line: lineNumber)
            }
            defer { position += 1 }
            return tokens[position].text
        }

        private mutating func expect(_ word: String) throws {
            let line = lineNumber
            let token = try next(word)
            guard token.uppercased() == word.uppercased() else {
                throw fail("expected \(word), got \"\(token.prefix(40))\"", line: line)
            }
        }

        private mutating func number(_ what: String) throws -> Double {
            let line = lineNumber
            let token = try next(what)
            guard let value = Double(token), value.isFinite else {
                throw fail("\(what) is not a finite number (got \"\(token.prefix(40))\")", line: line)
            }
            return value
        }

        private mutating func offset() throws -> Vector3 {
            try expect("OFFSET")
            return Vector3(x: try number("OFFSET x"), y: try number("OFFSET y"), z: try number("OFFSET z"))
        }

        /// How deeply joints may nest (real skeletons need about 10).
        static let maximumDepth = 256

        private mutating func parseJoint(parent: Int?, depth: Int = 0) throws {
            let nameLine = lineNumber
            guard depth < Self.maximumDepth else {
                throw fail("joints nested more than \(Self.maximumDepth) deep", line: nameLine)
            }
            let name = try next("a joint name")
            guard name != "{" else { throw fail("a joint has no name", line: nameLine) }
            try expect("{")
            let jointOffset = try offset()
            try expect("CHANNELS")
            let countLine = lineNumber
            let countToken = try next("the channel count")
            guard let count = Int(countToken), (0...6).contains(count) else {
                throw fail("the channel count of joint \(name) must be a whole number from 0 to 6 (got \"\(countToken.prefix(40))\")", line: countLine)
            }
            var channels: [Channel] = []
            for _ in 0..<count {
                let line = lineNumber
                let token = try next("a channel name")
                let lower = token.lowercased()
                let axes: [Swift.Character: Int] = ["x": 0, "y": 1, "z": 2]
                guard lower.count == 9, let axis = lower.first.flatMap({ axes[$0] }),
                      lower.hasSuffix("position") || lower.hasSuffix("rotation") else {
                    throw fail("unknown channel \"\(token.prefix(40))\" in joint \(name) (expected Xposition ... Zrotation)", line: line)
                }
                channels.append(lower.hasSuffix("position") ? .position(axis) : .rotation(axis))
            }
            let index = joints.count
            joints.append(Joint(name: String(name), parent: parent, offset: jointOffset, channels: channels,
                                endSite: nil, firstChannel: channelTotal))
            channelTotal += count
            while true {
                let line = lineNumber
                let token = try next("JOINT, End Site or }")
                switch token.uppercased() {
                case "JOINT":
                    try parseJoint(parent: index, depth: depth + 1)
                case "END":
                    try expect("Site")
                    try expect("{")
                    joints[index].endSite = try offset()
                    try expect("}")
                case "}":
                    return
                default:
                    throw fail("expected JOINT, End Site or } in joint \(name), got \"\(token.prefix(40))\"", line: line)
                }
            }
        }

        private mutating func parseMotion(from motionLine: Int) throws {
            var index = motionLine + 1
            func header(_ label: String) throws -> Substring {
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
                guard index < lines.count else { throw fail("the MOTION section ends before \"\(label)\"") }
                let line = lines[index].trimmingCharacters(in: .whitespaces)
                guard line.lowercased().hasPrefix(label.lowercased()) else {
                    throw fail("expected \"\(label)\", got \"\(line.prefix(40))\"", line: index + 1)
                }
                index += 1
                return Substring(line.dropFirst(label.count).trimmingCharacters(in: .whitespaces))
            }
            let countText = try header("Frames:")
            guard let declared = Int(countText), declared >= 1 else {
                throw fail("\"Frames:\" must be a whole number from 1 up (got \"\(countText.prefix(40))\")", line: index)
            }
            let timeText = try header("Frame Time:")
            guard let time = Double(timeText), time.isFinite, time > 0 else {
                throw fail("\"Frame Time:\" must be a number of seconds above 0 (got \"\(timeText.prefix(40))\")", line: index)
            }
            guard FrameRate.isValid(1 / time) else {
                throw fail("\"Frame Time:\" \(timeText.prefix(40)) s is \(String(format: "%g", 1 / time)) frames per second; psgan reads rates \(FrameRate.rangeDescription)", line: index)
            }
            frameTime = time
            frames.reserveCapacity(declared)
            while index < lines.count, frames.count < declared {
                let line = lines[index]
                index += 1
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if parts.isEmpty { continue }
                let f = frames.count
                guard parts.count == channelTotal else {
                    throw fail("line \(index): has \(PSGANError.count(parts.count, "value")); the HIERARCHY has \(PSGANError.count(channelTotal, "channel"))", frame: f)
                }
                var values: [Double] = []
                values.reserveCapacity(parts.count)
                for (c, part) in parts.enumerated() {
                    guard let value = Double(part), value.isFinite else {
                        throw fail("line \(index): value \(c) is not a finite number (got \"\(part.prefix(40))\")", frame: f)
                    }
                    values.append(value)
                }
                frames.append(values)
            }
            guard frames.count == declared else {
                throw fail("\"Frames:\" says \(declared) but the file has \(frames.count) (truncated?)")
            }
        }
    }
}
