import Foundation
import Hummingbird
import PSGANKit

/// psgan studio: a local web app over the library (`docs/studio.md`): one page, and a JSON API for
/// pose files, stills, looks and renders.
public struct Studio: Sendable {
    /// Where it listens, what it renders with, where it keeps its files.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var workspace: URL
        public var model: URL
        /// The largest upload accepted, in bytes.
        public var maximumUpload: Int

        public init(host: String = "127.0.0.1", port: Int = 8470, workspace: URL, model: URL, maximumUpload: Int = 16 << 20) {
            self.host = host
            self.port = port
            self.workspace = workspace
            self.model = model
            self.maximumUpload = maximumUpload
        }
    }

    public let configuration: Configuration
    let workspace: Workspace
    let models: Models
    public let queue = RenderQueue()

    /// Opens the workspace and the model.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        workspace = try Workspace(folder: configuration.workspace)
        models = try Models(default: configuration.model, workspace: workspace)
    }

    /// The application, serving the page and the API.
    public func application() -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                             serverName: "psgan-studio"))
    }

    /// Every route, behind the host and origin check.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HostCheck(host: configuration.host, port: configuration.port))
        addPage(to: router)
        addAPI(to: router)
        return router
    }

    // MARK: - The page

    private func addPage(to router: Router<BasicRequestContext>) {
        let files: [(String, String, String)] = [("/", "index.html", "text/html; charset=utf-8"),
                                                  ("/app.js", "app.js", "text/javascript; charset=utf-8"),
                                                  ("/app.css", "app.css", "text/css; charset=utf-8")]
        for (path, name, type) in files {
            router.get(RouterPath(stringLiteral: path)) { _, _ -> Response in
                guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Page"),
                      let data = try? Data(contentsOf: url) else { throw HTTPError(.notFound) }
                return Self.response(data, type: type)
            }
        }
    }

    // MARK: - Responses

    static func response(_ data: Data, type: String, status: HTTPResponse.Status = .ok, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return response(data, type: "application/json", status: status)
    }

    /// A one-line error, as the CLI would print it, for the control that caused it.
    static func problem(_ message: String, status: HTTPResponse.Status = .badRequest, field: String? = nil) -> Response {
        var object: [String: Any] = ["error": message]
        if let field { object["field"] = field }
        return json(object, status: status)
    }
}

/// Refuses requests whose Host or Origin is not the studio's own (DNS rebinding: a page on another
/// site that resolves its name to 127.0.0.1 sends its own name as the Host).
struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let host: String
    let port: Int

    /// The names a request may give for the studio: its own address, or the loopback names when it
    /// listens on a loopback address, with or without the port.
    func allows(authority: String?, origin: String?) -> Bool {
        var names = [host]
        if ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) { names += ["127.0.0.1", "localhost", "[::1]"] }
        let allowed = Set(names.flatMap { [$0, "\($0):\(port)"] })
        if let authority, !allowed.contains(authority.lowercased()) { return false }
        if let origin, origin != "null" {
            guard let url = URL(string: origin), url.scheme == "http", let originHost = url.host else { return false }
            let named = url.port.map { "\(originHost):\($0)" } ?? originHost
            guard allowed.contains(named.lowercased()) || allowed.contains("[\(originHost)]:\(url.port ?? port)") else { return false }
        }
        return true
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard allows(authority: request.head.authority, origin: request.headers[.origin]) else {
            return Studio.problem("refused: the request's Host or Origin is not this studio's (it answers only its own page)", status: .forbidden)
        }
        return try await next(request, context)
    }
}
