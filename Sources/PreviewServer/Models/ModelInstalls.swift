import Foundation
import InferenceRuntime
import TilePipeline

/// Installs models from the page as `tessera models install` does: the manifest into the
/// store, the variant this machine will use fetched (size and SHA-256 checked), then timed on
/// every library and device, so the first preview starts on the fastest pair.
actor ModelInstalls {
    typealias Install = LiveTask<InstallStatus>

    private let store: ModelStore
    private let backends: [any Backend]
    private var installs: [String: Install] = [:]

    init(store: ModelStore, backends: [any Backend]) {
        self.store = store
        self.backends = backends
    }

    /// Starts installing the manifest at `source`: a file path or an http(s) URL.
    func start(source: String) throws -> InstallStatus {
        let trimmed = source.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw PreviewError.badRequest("give a manifest's path or URL") }
        let location: URL
        if let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            ["http", "https", "file"].contains(scheme)
        {
            location = url
        } else {
            location = URL(fileURLWithPath: trimmed)
        }
        let install = Install(InstallStatus(id: UUID().uuidString.lowercased(), source: trimmed))
        installs[install.status.id] = install
        let store = store
        let backends = backends
        install.start { install in
            do {
                try await Self.install(location, store: store, backends: backends, reporting: install)
            } catch {
                install.update { status in
                    status.state = .failed
                    status.error = "\(trimmed): \(error)"
                }
            }
        }
        return install.status
    }

    func install(_ id: String) throws -> Install {
        guard let install = installs[id] else { throw PreviewError.notFound("install \(id)") }
        return install
    }

    private static func install(_ location: URL, store: ModelStore, backends: [any Backend], reporting install: Install)
        async throws
    {
        let installed = try await store.install(manifestAt: location)
        let choice = VariantChoice(manifest: installed.manifest, backends: backends, library: nil, device: nil)
        guard let pick = choice.pick else {
            throw PreviewError.runFailed(
                reason: "installed \(installed.id), but no variant fits this machine: "
                    + choice.explanation.joined(separator: "; "))
        }
        install.update { status in
            status.model = installed.id
            status.variant = pick.variant.name
            status.explanation = choice.explanation
            status.state = .fetching
            status.bytesTotal = Int64(pick.variant.bytes)
        }
        if !installed.isFetched(pick.variant) {
            try await store.fetch(installed.id, variant: pick.variant.name) { done, total in
                install.update { status in
                    status.bytesDone = done
                    status.bytesTotal = total
                }
            }
        }
        install.update { status in
            status.bytesDone = status.bytesTotal
            status.state = .measuring
        }
        var options = UpscaleOptions()
        options.session = SessionOptions(cacheDirectory: store.root)
        let table = try await Upscaler.measure(
            models: [installed.id], store: store, backends: backends, options: options)
        install.update { status in
            status.explanation += table
            status.state = .done
        }
    }
}
