import Foundation

extension PoseFileReader {
    /// Checks and reads the native format, one field at a time (see `docs/pose-format.md`).
    struct NativeParser {
        /// The format name in the `"format"` field.
        static let formatName = "psgan-pose"
        /// The newest format version this reader understands.
        static let currentVersion = 1

        let url: URL
        let root: [String: JSONValue]

        func parse() throws -> PoseSequence {
            try checkFormatAndVersion()
            let layoutName = try layout()
            let builtIn = KeypointLayout.builtIn(named: layoutName)
            let fps = try positiveNumber(root["fps"], field: "fps")
            guard FrameRate.isValid(fps) else {
                throw fail("\"fps\" must be a frame rate \(FrameRate.rangeDescription) (got \(fps.displayed()))")
            }
            let (width, height) = try canvas()
            let names = try keypointNames(builtIn: builtIn)

            guard let framesValue = root["frames"] else { throw fail("missing \"frames\"") }
            guard case .array(let framesArray) = framesValue else {
                throw fail("\"frames\" is \(framesValue.kind), not an array")
            }
            guard !framesArray.isEmpty else { throw fail("\"frames\" is empty; a pose file needs at least one frame") }

            // The keypoint count: the built-in layout's, else keypoint_names', else frame 0's.
            let expected: Int?
            let because: String
            if let builtIn {
                expected = builtIn.count
                because = "the \(builtIn.name) layout"
            } else if let names {
                expected = names.count
                because = "keypoint_names"
            } else {
                expected = nil
                because = "frame 0"
            }

            var frames: [[Keypoint]] = []
            frames.reserveCapacity(framesArray.count)
            var count = expected
            for (f, frameValue) in framesArray.enumerated() {
                guard case .array(let keypointValues) = frameValue else {
                    throw fail("is \(frameValue.kind), not an array of keypoints", frame: f)
                }
                guard !keypointValues.isEmpty else { throw fail("has no keypoints", frame: f) }
                if let count, keypointValues.count != count {
                    throw fail("has \(PSGANError.count(keypointValues.count, "keypoint")); expected \(count), as in \(because)", frame: f)
                }
                count = keypointValues.count
                frames.append(try keypointValues.enumerated().map { try keypoint($1, frame: f, index: $0) })
            }
            let keypointCount = count ?? 0
            return PoseSequence(layout: builtIn?.name ?? layoutName, keypointCount: keypointCount, fps: fps,
                                canvasWidth: width, canvasHeight: height, frames: frames)
        }

        private func fail(_ problem: String, frame: Int? = nil, keypoint: Int? = nil) -> PSGANError {
            PSGANError(.poses, url: url, frame: frame, keypoint: keypoint, problem: problem)
        }

        private func checkFormatAndVersion() throws {
            guard case .string(let format)? = root["format"] else {
                throw fail("not a psgan pose file (\"format\" is \(root["format"]?.kind ?? "missing"), not a string)")
            }
            guard format == Self.formatName else {
                throw fail("not a psgan pose file (\"format\" is \"\(format)\", expected \"\(Self.formatName)\")")
            }
            guard let versionValue = root["version"] else { throw fail("missing \"version\"") }
            guard case .number(let version) = versionValue, version.isFinite, version == version.rounded(), version >= 1 else {
                throw fail("\"version\" must be a whole number from 1 up (got \(versionValue.kind))")
            }
            guard version <= Double(Self.currentVersion) else {
                throw fail("written by a newer psgan (format version \(version.displayed()); this psgan reads version \(Self.currentVersion))")
            }
        }

        private func layout() throws -> String {
            guard let value = root["layout"] else { throw fail("missing \"layout\"") }
            guard case .string(let name) = value else { throw fail("\"layout\" is \(value.kind), not a string") }
            guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw fail("\"layout\" is empty")
            }
            return name
        }

        private func positiveNumber(_ value: JSONValue?, field: String) throws -> Double {
            guard let value else { throw fail("missing \"\(field)\"") }
            guard case .number(let number) = value, number.isFinite else {
                throw fail("\"\(field)\" is \(value.kind), not a finite number")
            }
            guard number > 0 else { throw fail("\"\(field)\" must be above 0 (got \(number.displayed()))") }
            return number
        }

        private func canvas() throws -> (Double, Double) {
            guard let value = root["canvas"] else { throw fail("missing \"canvas\"") }
            guard case .object(let canvas) = value else {
                throw fail("\"canvas\" is \(value.kind), not an object like {\"width\": 512, \"height\": 512}")
            }
            return (try positiveNumber(canvas["width"], field: "canvas.width"),
                    try positiveNumber(canvas["height"], field: "canvas.height"))
        }

        private func keypointNames(builtIn: KeypointLayout?) throws -> [String]? {
            guard let value = root["keypoint_names"], value != .null else { return nil }
            guard case .array(let items) = value else {
                throw fail("\"keypoint_names\" is \(value.kind), not an array of strings")
            }
            var names: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let name) = item else {
                    throw fail("keypoint_names[\(i)] is \(item.kind), not a string")
                }
                names.append(name)
            }
            if let builtIn {
                guard names.count == builtIn.count else {
                    throw fail("\"keypoint_names\" has \(PSGANError.count(names.count, "name")); the \(builtIn.name) layout has \(builtIn.count)")
                }
                if let i = names.indices.first(where: { names[$0] != builtIn.keypointNames[$0] }) {
                    throw fail("keypoint_names[\(i)] is \"\(names[i])\"; in the \(builtIn.name) layout it is \"\(builtIn.keypointNames[i])\"")
                }
            }
            guard !names.isEmpty else { throw fail("\"keypoint_names\" is empty") }
            return names
        }

        private func keypoint(_ value: JSONValue, frame: Int, index: Int) throws -> Keypoint {
            guard case .array(let parts) = value, parts.count == 3 else {
                throw fail("is \(value.kindWithCount), not [x, y, confidence]", frame: frame, keypoint: index)
            }
            guard case .number(let confidence) = parts[2], confidence.isFinite else {
                throw fail("confidence is not a finite number (got \(parts[2].kind))", frame: frame, keypoint: index)
            }
            guard (0...1).contains(confidence) else {
                throw fail("confidence \(confidence.displayed()) is outside [0, 1]", frame: frame, keypoint: index)
            }
            func coordinate(_ part: JSONValue, _ name: String) throws -> Double {
                if case .number(let number) = part, number.isFinite { return number }
                if part == .null, confidence == 0 { return 0 }
                let allowed = part == .null ? "; only a missing keypoint, with confidence 0, may have null" : ""
                throw fail("\(name) is not a finite number (got \(part.kind))\(allowed)", frame: frame, keypoint: index)
            }
            return Keypoint(x: try coordinate(parts[0], "x"), y: try coordinate(parts[1], "y"), confidence: confidence)
        }
    }
}
