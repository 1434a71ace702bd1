/// A batch output path template such as `out/{character}/{pose}.{ext}`.
///
/// Placeholders: `{character}` and `{pose}` (the entries' names), `{index}` (the job's index),
/// `{name}` (the job's name), `{codec}` (the codec's name, e.g. `h264`) and `{ext}` (the codec's
/// usual extension: `mp4`, `webm`, `mov`, `mkv`, or `png` for a PNG frame directory). Braces are
/// only for placeholders; any other use is an error.
public struct OutputTemplate: Equatable, Sendable {
    /// The values placeholders stand for.
    public struct Values: Sendable {
        /// The character's name.
        public var character: String
        /// The pose entry's name.
        public var pose: String
        /// The job's index.
        public var index: Int
        /// The job's name.
        public var name: String
        /// The codec.
        public var codec: VideoCodec

        /// Values for one job.
        public init(character: String, pose: String, index: Int, name: String, codec: VideoCodec) {
            self.character = character
            self.pose = pose
            self.index = index
            self.name = name
            self.codec = codec
        }
    }

    /// The placeholders known, without braces.
    public static let placeholders = ["character", "pose", "index", "name", "codec", "ext"]

    private enum Piece: Equatable, Sendable {
        case text(String)
        case placeholder(String)
    }

    /// The template as written.
    public let text: String
    private let pieces: [Piece]

    /// Parses `text`.
    ///
    /// - Throws: a one-line message (as ``PSGANError``) for an empty template, an unknown
    ///   placeholder or an unmatched brace.
    public init(_ text: String) throws {
        guard !text.isEmpty else { throw PSGANError(.manifest, "the output template is empty") }
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let first = rest.first {
            if first == "{" {
                guard let close = rest.firstIndex(of: "}") else {
                    throw PSGANError(.manifest, "output template '\(text)' has a '{' without a matching '}'")
                }
                let name = String(rest[rest.index(after: rest.startIndex)..<close])
                guard Self.placeholders.contains(name) else {
                    throw PSGANError(.manifest, "output template '\(text)' has an unknown placeholder '{\(name)}' "
                        + "(known: \(Self.placeholders.map { "{\($0)}" }.joined(separator: ", ")))")
                }
                if !literal.isEmpty { pieces.append(.text(literal)) }
                literal = ""
                pieces.append(.placeholder(name))
                rest = rest[rest.index(after: close)...]
            } else if first == "}" {
                throw PSGANError(.manifest, "output template '\(text)' has a '}' without a matching '{'")
            } else {
                literal.append(first)
                rest = rest.dropFirst()
            }
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.text = text
        self.pieces = pieces
    }

    /// Whether the template uses `{placeholder}`.
    public func uses(_ placeholder: String) -> Bool { pieces.contains(.placeholder(placeholder)) }

    /// The extension written literally at the template's end (`mp4` in `{pose}.mp4`), or "" when
    /// there is none or it is a placeholder.
    public var literalExtension: String {
        guard case .text(let last)? = pieces.last, let dot = last.lastIndex(of: "."),
              !last[dot...].contains("/") else { return "" }
        return String(last[last.index(after: dot)...])
    }

    /// The path for one job's values.
    public func expand(_ values: Values) -> String {
        pieces.map { piece -> String in
            switch piece {
            case .text(let text): return text
            case .placeholder("character"): return values.character
            case .placeholder("pose"): return values.pose
            case .placeholder("index"): return String(values.index)
            case .placeholder("name"): return values.name
            case .placeholder("codec"): return values.codec.rawValue
            case .placeholder(_): return values.codec.defaultContainer.fileExtension ?? "png"
            }
        }.joined()
    }
}
