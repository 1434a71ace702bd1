import Foundation

/// A labelled contact sheet of characters, one seed per cell in the same pose, so an animator can
/// pick a seed by looking (`psgan characters`).
///
/// Each cell is the model's frame for one seed; the seed is written under it in a small bitmap
/// font. The pose is one frame of a pose input, or a built-in front-facing standing pose. The sheet
/// is a PNG written atomically.
public struct CharacterGallery: Sendable {
    /// What a finished sheet holds.
    public struct Result: Sendable {
        /// Characters drawn.
        public var count: Int
        /// Columns and rows of the grid.
        public var columns: Int, rows: Int
        /// The sheet's size.
        public var size: CanvasSize
    }

    /// The generator file.
    public var model: URL
    /// The seeds, in order.
    public var seeds: [UInt64]
    /// Characters (from character files, with looks) drawn after the seeds, labelled by their
    /// place in this list from 1.
    public var characters: [Character] = []
    /// The pose input; nil uses the built-in standing pose.
    public var poses: PoseInput?
    /// The frame of ``poses`` every character is drawn in.
    public var frame: Int
    /// Columns of the grid; nil makes it about square.
    public var columns: Int?
    /// The PNG to write.
    public var output: URL

    /// A gallery of `seeds` drawn by `model` into `output`.
    public init(model: URL, seeds: [UInt64], poses: PoseInput? = nil, frame: Int = 0, columns: Int? = nil, output: URL) {
        self.model = model
        self.seeds = seeds
        self.poses = poses
        self.frame = frame
        self.columns = columns
        self.output = output
    }

    /// The most cells a sheet may hold.
    public static let maximumCount = 1024

    /// Draws every character and writes the sheet.
    public func run() throws -> Result {
        let cells = seeds.map { (character: Character.seed($0), label: String($0)) }
            + characters.enumerated().map { (character: $1, label: String($0 + 1)) }
        guard !cells.isEmpty, cells.count <= Self.maximumCount else {
            throw PSGANError(.render, "a gallery needs 1 to \(Self.maximumCount) characters, got \(cells.count)")
        }
        let psgan = try PSGANModel(contentsOf: model)
        let config = psgan.config
        let target = PoseTarget(config: config, modelFile: model.path)
        let keypoints: [Keypoint]
        if let poses {
            let prepared = try poses.prepared(for: target)
            guard frame >= 0, frame < prepared.frameCount else {
                throw PSGANError(.poses, file: poses.displayPath, problem: "has no frame \(frame) (it has \(prepared.frameCount))")
            }
            keypoints = prepared.frames[frame]
        } else {
            keypoints = try Self.standingPose.prepared(for: target, source: "the built-in standing pose").frames[0]
        }
        let renderer = Renderer(model: psgan)
        let side = config.resolution
        let columns = max(1, min(cells.count, self.columns ?? Int(Double(cells.count).squareRoot().rounded(.up))))
        let rows = (cells.count + columns - 1) / columns
        let digitScale = max(1, side / 64)
        let labelHeight = 7 * digitScale + 4
        let size = CanvasSize(width: columns * side, height: rows * (side + labelHeight))
        var sheet = [UInt8](repeating: 255, count: size.width * size.height * 3)
        let space = psgan.latentSpace(modelFile: model.path)
        for (index, cell) in cells.enumerated() {
            let image = renderer.frame(keypoints: keypoints, latent: try cell.character.latent(in: space))
            let left = (index % columns) * side, top = (index / columns) * (side + labelHeight)
            for y in 0 ..< side {
                let from = y * side * 3, to = ((top + y) * size.width + left) * 3
                sheet.replaceSubrange(to ..< to + side * 3, with: image.pixels[from ..< from + side * 3])
            }
            DigitFont.draw(cell.label, into: &sheet, width: size.width, centreX: left + side / 2,
                           top: top + side + 2, scale: digitScale)
        }
        PartialOutput(output: output, keepsExtension: true).removeStale()
        try PNGFile.write(RGBImage(width: size.width, height: size.height, pixels: sheet), to: output)
        return Result(count: cells.count, columns: columns, rows: rows, size: size)
    }

    /// A front-facing standing pose in COCO-18 on a 100 x 100 canvas.
    static let standingPose = PoseSequence(layout: "coco18", keypointCount: 18, fps: nil, canvasWidth: 100, canvasHeight: 100, frames: [[
        (50, 14), (50, 25), (41, 25), (37, 40), (35, 54), (59, 25), (63, 40), (65, 54),
        (45, 55), (45, 72), (45, 90), (55, 55), (55, 72), (55, 90), (48, 12), (52, 12), (46, 13), (54, 13),
    ].map { Keypoint(x: $0.0, y: $0.1, confidence: 1) }])

    /// Reads a seed list: `A:B` (A to B-1), `N`, or a comma-separated list of either; nil for an
    /// empty item (`1,,2`) or a seed given twice (`0:3,0:3`).
    public static func seeds(parsing text: String) -> [UInt64]? {
        var seeds: [UInt64] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: ":", omittingEmptySubsequences: false)
            if bounds.count == 1, let seed = UInt64(bounds[0]) {
                seeds.append(seed)
            } else if bounds.count == 2, let a = UInt64(bounds[0]), let b = UInt64(bounds[1]), a < b, b - a <= UInt64(maximumCount) {
                seeds += Array(a ..< b)
            } else {
                return nil
            }
        }
        return seeds.isEmpty || seeds.count > maximumCount || Set(seeds).count != seeds.count ? nil : seeds
    }
}

/// A 3 x 5 pixel font for digits, drawn dark grey.
enum DigitFont {
    /// Rows of each digit, three bits per row, top first.
    static let glyphs: [Swift.Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
    ]

    /// Draws `text` (digits) centred on `centreX` with its top at `top`, each font pixel `scale` pixels.
    static func draw(_ text: String, into pixels: inout [UInt8], width: Int, centreX: Int, top: Int, scale: Int) {
        let advance = 4 * scale
        var x = centreX - (text.count * advance - scale) / 2
        let height = pixels.count / (width * 3)
        for character in text {
            if let rows = glyphs[character] {
                for (row, bits) in rows.enumerated() {
                    for column in 0 ..< 3 where bits & (4 >> column) != 0 {
                        for dy in 0 ..< scale {
                            for dx in 0 ..< scale {
                                let px = x + column * scale + dx, py = top + row * scale + dy
                                guard px >= 0, px < width, py >= 0, py < height else { continue }
                                let p = (py * width + px) * 3
                                pixels[p] = 40; pixels[p + 1] = 40; pixels[p + 2] = 40
                            }
                        }
                    }
                }
            }
            x += advance
        }
    }
}
