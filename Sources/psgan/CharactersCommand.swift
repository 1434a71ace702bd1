import ArgumentParser
import Foundation
import PSGANKit

/// `psgan characters`: a labelled contact sheet of seeds, to pick a character by looking.
struct CharactersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "characters",
        abstract: "Draw a contact sheet of characters, one seed per cell with its number under it.",
        discussion: """
            Examples:
              psgan characters --seeds 0:64 --out sheet.png
              psgan characters --seeds 3,14,27 --poses poses/dance.json --frame 40 --out picks.png
            """
    )

    @Option(help: "Generator file (default: $PSGAN_MODEL, else the model bundled in samples/).")
    var model: String?

    @Option(help: ArgumentHelp("Seeds: A:B (A to B-1), N, or a comma-separated list of either (at most 1024).", valueName: "A:B|N,..."),
            transform: { text in
                guard let seeds = CharacterGallery.seeds(parsing: text) else {
                    throw ValidationError("--seeds must be A:B, N or a list of them (1 to \(CharacterGallery.maximumCount) seeds, each once), found '\(text)'")
                }
                return seeds
            })
    var seeds: [UInt64] = []

    @Option(help: ArgumentHelp("A character file (a seed, latent or look) to draw after the seeds, labelled 1, 2, ... in order (repeat).", valueName: "FILE"))
    var character: [String] = []

    @Option(help: "Pose input to draw every character in (default: a built-in front-facing standing pose).")
    var poses: String?

    @Option(help: "The frame of --poses to use (zero-based; default 0).")
    var frame: Int?

    @Option(help: "Columns of the grid (default: about square).")
    var columns: Int?

    @OptionGroup(title: "Pose input")
    var reading: PoseInputOptions

    @OptionGroup(title: "Pose cleanup")
    var cleaning: PoseCleanupOptions

    @Option(help: "The PNG to write.")
    var out: String

    func validate() throws {
        if seeds.isEmpty && character.isEmpty { throw ValidationError("give --seeds, --character or both") }
        if let frame, frame < 0 { throw ValidationError("--frame must be 0 or more") }
        if frame != nil && poses == nil { throw ValidationError("--frame picks a frame of --poses; give --poses too") }
        if URL(fileURLWithPath: out).pathExtension.lowercased() != "png" {
            throw ValidationError("--out must name a .png file (the gallery is written as PNG)")
        }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1") }
    }

    func run() throws {
        var gallery = CharacterGallery(model: try BundledResources.model(model), seeds: seeds,
                                       poses: poses.map { reading.input($0, cleaning: cleaning) }, frame: frame ?? 0,
                                       columns: columns, output: URL(fileURLWithPath: out))
        gallery.characters = try character.map { try Character(contentsOf: URL(fileURLWithPath: $0)) }
        let result = try gallery.run()
        print("wrote \(ErrorText.escaped(out)): \(result.count) characters, \(result.columns)x\(result.rows) grid, \(result.size)")
    }
}
