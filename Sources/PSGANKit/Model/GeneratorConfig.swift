import Foundation

/// The shape of a PSGAN generator: resolution, latent size, keypoints and channels per scale.
///
/// Stored as the `config` metadata string of a model file (see `spec/psgan-model.md`).
public struct GeneratorConfig: Equatable, Sendable {
    /// Output resolution R (a power of two, 8 to 1024).
    public var resolution: Int
    /// Latent size L.
    public var latentDim: Int
    /// Number of keypoints K (pose map channels).
    public var keypoints: Int
    /// Name of the keypoint layout, e.g. `coco18`.
    public var layout: String
    /// Channel count C(s) for every scale s = 4, 8, ..., R.
    public var channels: [Int: Int]
    /// The upscaler the model's author suggests for its frames (a built-in name such as `srgan-x4`),
    /// stored as the config's optional `upscale` key; renders that name no upscaler apply it.
    public var upscale: String?
    /// Whether the generator also draws its figure's coverage (the config's optional `alpha`: a
    /// `toalpha` projection beside `torgb`, `docs/spec/psgan-model.md`), used as the matte.
    public var alpha = false

    /// The layout of the poses the model is given: its own, but `coco18` for ``LimbPoints/layout``
    /// (whose extra points the model derives).
    public var poseLayout: String { layout == LimbPoints.layout ? LimbPoints.poseLayout : layout }
    /// Keypoints per pose the model is given (18 for ``LimbPoints/layout``, else ``keypoints``).
    public var poseKeypoints: Int { layout == LimbPoints.layout ? LimbPoints.poseKeypoints : keypoints }

    /// The keypoints the condition maps are drawn from for a pose of ``poseKeypoints``: the pose,
    /// with the derived limb points appended for ``LimbPoints/layout``.
    public func conditionKeypoints(_ pose: [Keypoint]) -> [Keypoint] {
        layout == LimbPoints.layout && pose.count == LimbPoints.poseKeypoints ? LimbPoints.appended(to: pose) : pose
    }

    /// Channels the generator outputs: RGB, and coverage when ``alpha``.
    public var outputChannels: Int { alpha ? 4 : 3 }

    /// The scales 4, 8, ..., R.
    public var scales: [Int] { Array(sequence(first: 4, next: { $0 < self.resolution ? $0 * 2 : nil })) }

    /// Creates a config; call ``validate(path:)`` before trusting one built from user input.
    public init(resolution: Int, latentDim: Int, keypoints: Int, layout: String, channels: [Int: Int],
                upscale: String? = nil) {
        self.resolution = resolution
        self.latentDim = latentDim
        self.keypoints = keypoints
        self.layout = layout
        self.channels = channels
        self.upscale = upscale
    }

    /// The paper's channel schedule, `min(16384 / s, 512)` at each scale s.
    public static func paperChannels(resolution: Int) -> [Int: Int] {
        var result: [Int: Int] = [:]
        var s = 4
        while s <= resolution {
            result[s] = min(16384 / s, 512)
            s *= 2
        }
        return result
    }

    /// Parses a channel schedule: `paper` (see ``paperChannels(resolution:)``) or a list such as
    /// `4:512,8:512,16:256`; nil when the text is neither. The list is not checked against a
    /// resolution here (``validate(path:)`` does that).
    public static func channels(parsing text: String, resolution: Int) -> [Int: Int]? {
        if text == "paper" { return paperChannels(resolution: resolution) }
        var parsed: [Int: Int] = [:]
        for item in text.split(separator: ",") {
            let pair = item.split(separator: ":")
            guard pair.count == 2, let s = Int(pair[0]), let c = Int(pair[1]) else { return nil }
            parsed[s] = c
        }
        return parsed.isEmpty ? nil : parsed
    }

    /// Checks every field; the error names `path` (a file or a command-line option).
    public func validate(path: String) throws {
        guard (8...1024).contains(resolution), resolution & (resolution - 1) == 0 else {
            throw PSGANError(.model, file: path, "resolution \(resolution) is not a power of two from 8 to 1024")
        }
        guard latentDim >= 1, latentDim <= 1 << 16 else {
            throw PSGANError(.model, file: path, "latent_dim \(latentDim) must be from 1 to 65536")
        }
        guard keypoints >= 1, keypoints <= 1024 else {
            throw PSGANError(.model, file: path, "keypoints \(keypoints) must be from 1 to 1024")
        }
        guard !layout.isEmpty else {
            throw PSGANError(.model, file: path, "layout is empty")
        }
        if layout == LimbPoints.layout, keypoints != LimbPoints.keypointCount {
            throw PSGANError(.model, file: path, "layout '\(layout)' has \(LimbPoints.keypointCount) keypoints but keypoints is \(keypoints)")
        }
        if let builtIn = KeypointLayout.builtIn(named: layout), builtIn.count != keypoints {
            throw PSGANError(.model, file: path, "layout '\(layout)' has \(builtIn.count) keypoints but keypoints is \(keypoints)")
        }
        for s in scales {
            guard let c = channels[s] else {
                throw PSGANError(.model, file: path, "channels has no entry for resolution \(s)")
            }
            guard c >= 1, c <= 8192 else {
                throw PSGANError(.model, file: path, "channels[\(s)] = \(c) must be from 1 to 8192")
            }
        }
        if let extra = channels.keys.first(where: { !scales.contains($0) }) {
            throw PSGANError(.model, file: path, "channels has an entry for \(extra), which is not a scale from 4 to \(resolution)")
        }
        if let upscale, upscale.isEmpty || upscale.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw PSGANError(.model, file: path, "upscale \(upscale.jsonQuoted) is not an upscaler name")
        }
    }

    /// Parses the `config` JSON string of a model file; `path` names the file in errors.
    public init(json: String, path: String) throws {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data),
              let dict = object as? [String: Any] else {
            throw PSGANError(.model, file: path, "metadata 'config' is not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            if let value = dict[key] as? Int { return value }
            if let value = dict[key] as? Double, value == value.rounded(), abs(value) < 1e9 { return Int(value) }
            throw PSGANError(.model, file: path, "config '\(key)' is missing or not an integer")
        }
        let resolution = try integer("resolution")
        let latentDim = try integer("latent_dim")
        let keypoints = try integer("keypoints")
        guard let layout = dict["layout"] as? String else {
            throw PSGANError(.model, file: path, "config 'layout' is missing or not a string")
        }
        guard let rawChannels = dict["channels"] as? [String: Any] else {
            throw PSGANError(.model, file: path, "config 'channels' is missing or not an object")
        }
        var channels: [Int: Int] = [:]
        for (key, value) in rawChannels {
            guard let scale = Int(key) else {
                throw PSGANError(.model, file: path, "config 'channels' key '\(key)' is not a resolution")
            }
            if let c = value as? Int {
                channels[scale] = c
            } else if let c = value as? Double, c == c.rounded(), abs(c) < 1e9 {
                channels[scale] = Int(c)
            } else {
                throw PSGANError(.model, file: path, "config 'channels[\(key)]' is not an integer")
            }
        }
        var upscale: String?
        if let value = dict["upscale"] {
            guard let name = value as? String else {
                throw PSGANError(.model, file: path, "config 'upscale' is not a string")
            }
            upscale = name
        }
        self.init(resolution: resolution, latentDim: latentDim, keypoints: keypoints, layout: layout, channels: channels,
                  upscale: upscale)
        if let value = dict["alpha"] {
            // JSONSerialization gives booleans as NSNumbers of a class of their own.
            guard let flag = value as? Bool, type(of: value as AnyObject) == type(of: NSNumber(value: true)) else {
                throw PSGANError(.model, file: path, "config 'alpha' is not true or false")
            }
            alpha = flag
        }
        try validate(path: path)
    }

    /// The config as the JSON string stored in a model file.
    public var json: String {
        let channelList = scales.map { "\"\($0)\": \(channels[$0] ?? 0)" }.joined(separator: ", ")
        return "{\"resolution\": \(resolution), \"latent_dim\": \(latentDim), \"keypoints\": \(keypoints), \"channels\": {\(channelList)}, \"layout\": \(layout.jsonQuoted)\(upscale.map { ", \"upscale\": \($0.jsonQuoted)" } ?? "")\(alpha ? ", \"alpha\": true" : "")}"
    }

    /// The contract's name for a block's convolution: `b4.conv` for the 4 x 4 block, else
    /// `b{s}.conv0` (after the concatenation) and `b{s}.conv1`; add `.weight` or `.bias`.
    public static func convName(scale s: Int, index: Int) -> String {
        s == 4 ? "b4.conv" : "b\(s).conv\(index)"
    }

    /// Every tensor of a model with this config, with its shape, in file order.
    public var tensorShapes: [(name: String, shape: [Int])] {
        let k = keypoints
        var result: [(String, [Int])] = []
        let c4 = channels[4] ?? 0
        result.append(("dense.weight", [c4 * 16, latentDim]))
        result.append(("dense.bias", [c4]))
        result.append((Self.convName(scale: 4, index: 0) + ".weight", [c4, c4 + k, 3, 3]))
        result.append((Self.convName(scale: 4, index: 0) + ".bias", [c4]))
        for s in scales.dropFirst() {
            let c = channels[s] ?? 0
            let previous = channels[s / 2] ?? 0
            result.append((Self.convName(scale: s, index: 0) + ".weight", [c, previous + k, 3, 3]))
            result.append((Self.convName(scale: s, index: 0) + ".bias", [c]))
            result.append((Self.convName(scale: s, index: 1) + ".weight", [c, c, 3, 3]))
            result.append((Self.convName(scale: s, index: 1) + ".bias", [c]))
        }
        result.append(("torgb.weight", [3, channels[resolution] ?? 0, 1, 1]))
        result.append(("torgb.bias", [3]))
        if alpha {
            result.append(("toalpha.weight", [1, channels[resolution] ?? 0, 1, 1]))
            result.append(("toalpha.bias", [1]))
        }
        return result
    }

    /// Number of learned parameters.
    public var parameterCount: Int {
        tensorShapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Floating-point operations per frame, counting each multiply-add as two and convolutions as
    /// direct convolutions (the convention of the ONNX Runtime and OpenVINO anchor in `bench/`).
    public var flopsPerFrame: Double {
        let k = Double(keypoints)
        let c4 = Double(channels[4] ?? 0)
        var flops = 2 * Double(latentDim) * c4 * 16
        flops += 2 * 16 * (c4 + k) * c4 * 9
        for s in scales.dropFirst() {
            let c = Double(channels[s] ?? 0)
            let previous = Double(channels[s / 2] ?? 0)
            flops += 2 * Double(s * s) * 9 * ((previous + k) * c + c * c)
        }
        flops += 2 * Double(resolution * resolution) * Double(channels[resolution] ?? 0) * 3
        return flops
    }
}
