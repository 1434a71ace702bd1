import Foundation

/// A character file whose look matches a drawn character: the part colours of a picture read at
/// its keypoints, as close as the model's look schema allows (`psgan character from-image`).
///
/// The keypoints are any pose input psgan reads for one picture, typically the OpenPose JSON that
/// ComfyUI's DWPose nodes write for it, in the picture's pixels (COCO-18 or a layout psgan maps onto
/// it). Each part's colour is the median, channel by channel, of a small disc (``PartColours``); the
/// look gets the parts the schema has as colours, each clamped into the range the schema reaches.
public struct CharacterFromImage: Sendable {
    /// What was read and written.
    public struct Result: Sendable {
        /// The look written: the colours read, clamped where the schema cannot reach them.
        public var look: Look
        /// The colours as read from the picture, before clamping.
        public var read: [String: RGBColour]
        /// Parts whose colour was out of the schema's reach and clamped.
        public var clamped: [String]
    }

    /// The picture (anything FFmpeg decodes; its first frame).
    public var image: URL
    /// The picture's keypoints.
    public var keypoints: URL
    /// The model whose look schema the look is for.
    public var model: URL
    /// The character file to write.
    public var output: URL
    /// The character's name (default: the picture's file name).
    public var name: String?
    /// The seed that fills in what the look leaves out.
    public var seed: UInt64 = 0

    /// A job reading `image` at `keypoints` for `model`, writing `output`.
    public init(image: URL, keypoints: URL, model: URL, output: URL) {
        self.image = image
        self.keypoints = keypoints
        self.model = model
        self.output = output
    }

    /// Reads the picture and its keypoints and writes the character file (atomically).
    ///
    /// - Throws: for a model without a look schema (naming it), a picture or keypoint file psgan
    ///   cannot read, keypoints that leave no part to read, or an output it cannot write.
    public func run() throws -> Result {
        let psgan = try PSGANModel(contentsOf: model)
        guard let schema = psgan.look else {
            throw PSGANError(.model, file: model.path, "has no look schema, so no look can be made for it (use a model trained with the identity objective)")
        }
        let reader = try FrameReader(url: image)
        try CanvasSize(width: reader.width, height: reader.height).checkOutputLimits(file: PSGANError.displayPath(of: image), kind: .input, what: "picture")
        guard let picture = try reader.next() else { throw PSGANError(.input, url: image, problem: "holds no picture") }
        let canvas = CanvasSize(width: picture.width, height: picture.height)
        var input = PoseInput(url: keypoints)
        input.reading.canvas = canvas
        let prepared = try input.prepared(for: PoseTarget(canvas: canvas, layout: "coco18", keypointCount: 18,
                                                          consumer: "from-image reads COCO-18 parts"))
        guard let points = prepared.frames.first else { throw PSGANError(.poses, url: keypoints, problem: "holds no frame") }
        let read = PartColours.sample(picture, keypoints: points)
        var values: [String: Look.Value] = [:]
        var clamped: [String] = []
        for (part, colour) in read.sorted(by: { $0.key < $1.key }) {
            guard let attribute = schema.attribute(part) else { continue }
            switch attribute.kind {
            case .colour(let offset, let scale):
                let limit = { (c: Double) in min(offset + scale, max(offset, c)) }
                let inside = RGBColour(red: limit(colour.red), green: limit(colour.green), blue: limit(colour.blue))
                if inside.hex != colour.hex { clamped.append(part) }
                values[part] = .colour(inside)
            case .palette:
                values[part] = .colour(colour)
            default:
                continue
            }
        }
        guard !values.isEmpty else {
            throw PSGANError(.poses, url: keypoints, problem: "leaves no part to read (it needs the neck and hips, the head or the wrists)")
        }
        let look = Look(values: values)
        let characterName = name ?? image.deletingPathExtension().lastPathComponent
        let text = "{\"name\": \(characterName.jsonQuoted), \"seed\": \(seed), \"look\": \(look.json)}\n"
        let partial = PartialOutput(output: output, keepsExtension: true)
        partial.removeStale()
        do {
            try Data(text.utf8).write(to: partial.temporaryURL)
        } catch {
            throw PSGANError(.character, file: output.path, "cannot write (\(ErrorText.reason(error)))")
        }
        do { try partial.finish(kind: .character) } catch {
            try? FileManager.default.removeItem(at: partial.temporaryURL)
            throw error
        }
        return Result(look: look, read: read, clamped: clamped)
    }
}

/// The colours of a drawn character's parts, read at its COCO-18 keypoints.
public enum PartColours {
    /// The median colour of each part the keypoints reach: `top` (the torso, 45% of the way from the
    /// neck to the middle of the hips), `bottom` (both thighs, a third of the way from hip to
    /// knee), `hair` (above the head: beyond the ears' midpoint, away from the neck, by 0.6 of the
    /// neck-to-ears distance) and `skin` (the hands and the face under the eyes). Each is the
    /// channel-wise median of the pixels within a disc of radius 8% of the torso's length (5% for
    /// skin).
    public static func sample(_ picture: RGBImage, keypoints: [Keypoint]) -> [String: RGBColour] {
        func point(_ i: Int) -> (x: Double, y: Double)? {
            i < keypoints.count && keypoints[i].isPresent ? (keypoints[i].x, keypoints[i].y) : nil
        }
        func between(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ t: Double) -> (x: Double, y: Double) {
            (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
        }
        guard let neck = point(1) else { return [:] }
        let hips = [point(8), point(11)].compactMap { $0 }
        let hipMiddle = hips.isEmpty ? nil : (hips.map(\.x).reduce(0, +) / Double(hips.count), hips.map(\.y).reduce(0, +) / Double(hips.count))
        let torso = hipMiddle.map { hypot($0.0 - neck.x, $0.1 - neck.y) } ?? 0
        guard torso > 1 else { return [:] }
        var parts: [String: RGBColour] = [:]
        let radius = 0.08 * torso
        if let hipMiddle {
            // The torso's pixels: inside the shoulders-to-hips quad or near the neck-to-hips line,
            // without the forearms and hands, which cross it in every side view and are not the top.
            let forearms = [(3, 4), (6, 7)].compactMap { e, w in point(e).flatMap { p in point(w).map { (p, between(p, $0, 1.2)) } } }
            let corners = [2, 5, 11, 8].compactMap(point)
            let spine = (neck, (x: hipMiddle.0, y: hipMiddle.1))
            let onTorso = { (x: Double, y: Double) in
                (corners.count == 4 && inside((x, y), corners)) || segmentDistance((x, y), spine.0, spine.1) <= 0.12 * torso
            }
            let onForearm = { (x: Double, y: Double) in forearms.contains { segmentDistance((x, y), $0.0, $0.1) <= 0.1 * torso } }
            let (clear, count) = median(picture, around: [between(neck, spine.1, 0.5)], radius: 0.6 * torso,
                                        excluding: { x, y in !onTorso(x, y) || onForearm(x, y) })
            parts["top"] = count >= Int(Double.pi * radius * radius) ? clear
                : median(picture, around: [between(neck, spine.1, 0.45)], radius: radius)
        }
        let thighs = [(8, 9), (11, 12)].compactMap { hip, knee in point(hip).flatMap { h in point(knee).map { between(h, $0, 1.0 / 3) } } }
        if !thighs.isEmpty { parts["bottom"] = median(picture, around: thighs, radius: radius) }
        let ears = [point(16), point(17)].compactMap { $0 }
        if ears.count == 2 {
            let middle = between(ears[0], ears[1], 0.5)
            parts["hair"] = median(picture, around: [between(middle, neck, -0.6)], radius: radius)
        }
        // Skin: the hands (a fifth of a forearm beyond each wrist, past the cuff) and the face (under
        // the eyes, 30% of the way to the neck), one median over them all.
        var skin = [(3, 4), (6, 7)].compactMap { elbow, wrist in point(elbow).flatMap { e in point(wrist).map { between($0, e, -0.2) } } }
        let eyes = [point(14), point(15)].compactMap { $0 }
        if eyes.count == 2 { skin.append(between(between(eyes[0], eyes[1], 0.5), neck, 0.3)) }
        if !skin.isEmpty { parts["skin"] = median(picture, around: skin, radius: max(1, 0.05 * torso)) }
        return parts
    }

    /// The channel-wise median of the pixels within `radius` of any of `centres` (nil outside).
    static func median(_ picture: RGBImage, around centres: [(x: Double, y: Double)], radius: Double) -> RGBColour? {
        median(picture, around: centres, radius: radius, excluding: { _, _ in false }).colour
    }

    /// Whether `p` is inside the convex polygon `corners` (either winding).
    static func inside(_ p: (x: Double, y: Double), _ corners: [(x: Double, y: Double)]) -> Bool {
        var sign = 0.0
        for (i, a) in corners.enumerated() {
            let b = corners[(i + 1) % corners.count]
            let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
            if cross * sign < 0 { return false }
            if cross != 0 { sign = cross }
        }
        return true
    }

    /// The distance from `p` to the segment from `a` to `b`.
    static func segmentDistance(_ p: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let length = dx * dx + dy * dy
        let t = length > 0 ? min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length)) : 0
        return hypot(p.x - a.x - t * dx, p.y - a.y - t * dy)
    }

    /// The channel-wise median of the pixels within `radius` of any of `centres` whose centre is
    /// not `excluded`, each pixel once, and how many there were.
    static func median(_ picture: RGBImage, around centres: [(x: Double, y: Double)], radius: Double,
                       excluding excluded: (Double, Double) -> Bool) -> (colour: RGBColour?, count: Int) {
        var channels: [[UInt8]] = [[], [], []]
        var seen = Set<Int>()
        for centre in centres {
            let x0 = max(0, Int((centre.x - radius).rounded(.down))), x1 = min(picture.width - 1, Int((centre.x + radius).rounded(.up)))
            let y0 = max(0, Int((centre.y - radius).rounded(.down))), y1 = min(picture.height - 1, Int((centre.y + radius).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0 ... y1 {
                for x in x0 ... x1 where hypot(Double(x) + 0.5 - centre.x, Double(y) + 0.5 - centre.y) <= radius {
                    guard !excluded(Double(x) + 0.5, Double(y) + 0.5), seen.insert(y * picture.width + x).inserted else { continue }
                    let p = (y * picture.width + x) * 3
                    for c in 0 ..< 3 { channels[c].append(picture.pixels[p + c]) }
                }
            }
        }
        guard !channels[0].isEmpty else { return (nil, 0) }
        let medians = channels.map { $0.sorted()[$0.count / 2] }
        return (RGBColour(medians[0], medians[1], medians[2]), channels[0].count)
    }
}
