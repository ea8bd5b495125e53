package seq2seq.service.rollout;

import seq2seq.avro.ModelDeployment;

import java.nio.file.Path;

/**
 * What one {@link ModelDeployment} asks of an instance: the folder of the stable version and, for a canary or a
 * shadow, the candidate's. A folder the record leaves out (null) is the one the instance's configuration names.
 *
 * @param stableDir       folder of the version that takes the requests the candidate does not
 * @param candidateDir    folder of the canary or shadow version; null for none
 * @param candidateHash   the content hash the deployed folder must have, or null
 * @param canaryPercent   the candidate's share of requests
 * @param shadow          the candidate only shadows the stable version
 */
record WantedVersions(Path stableDir, Path candidateDir, String candidateHash, int canaryPercent, boolean shadow) {

    /**
     * @param d           the model's latest deployment; null (none, or a tombstone): the configured folder
     * @param configured  the folder the configuration names for the model, or null if it names none
     */
    static WantedVersions of(ModelDeployment d, Path configured) {
        if (d == null) {
            return new WantedVersions(configured, null, null, 0, false);
        }
        Path dir = d.getDir() == null ? configured : Path.of(java.net.URI.create(uri(d.getDir())));
        if (d.getCanaryPercent() >= 100 && !d.getShadow()) {
            return new WantedVersions(dir, null, d.getVersion(), 100, false);
        }
        Path previous = d.getPreviousDir() == null ? configured : Path.of(java.net.URI.create(uri(d.getPreviousDir())));
        return new WantedVersions(previous, dir, d.getVersion(), Math.max(0, d.getCanaryPercent()), d.getShadow());
    }

    /** A path or a file: URI, as a URI. */
    private static String uri(String dirOrUri) {
        return dirOrUri.startsWith("file:") ? dirOrUri : Path.of(dirOrUri).toAbsolutePath().toUri().toString();
    }

    /** the hash the stable folder must have: only a full switch names it */
    String stableHash() {
        return candidateDir == null ? candidateHash : null;
    }
}
