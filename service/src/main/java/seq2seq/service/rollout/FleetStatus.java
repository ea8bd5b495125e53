package seq2seq.service.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import seq2seq.service.ops.Metrics;
import seq2seq.streams.ModelFleet;
import seq2seq.streams.ModelVersion;

import java.nio.file.Path;

/**
 * The /models document: each model's versions as served now, its canary's configured share and the share it
 * answered since it started, or its shadow's agreement, and why a deployment failed.
 */
public final class FleetStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FleetStatus() {
    }

    /**
     * @param follower the control topic's follower, or null when rollout is off
     * @param metrics  where the versions' translations and the shadow agreement are counted
     */
    public static String json(ModelFleet fleet, DeploymentFollower follower, Metrics metrics) {
        ArrayNode out = JSON.createArrayNode();
        for (ModelFleet.Deployment d : fleet.deployments()) {
            ObjectNode m = out.addObject();
            m.put("name", d.name());
            version(m.putObject("stable"), d.stable(), follower);
            if (d.candidate() != null) {
                version(m.putObject(d.shadow() ? "shadow" : "canary"), d.candidate(), follower);
                if (!d.shadow()) {
                    m.put("canary_percent", d.canaryPercent());
                    Metrics.CanaryShare share = metrics.canaryShare(d.name(), d.candidate().version());
                    if (share != null) {
                        ObjectNode answered = m.putObject("canary_answered");
                        answered.put("percent", share.percent());
                        answered.put("translations", share.answered());
                        answered.put("of", share.of());
                    }
                } else {
                    Metrics.ShadowAgreement a = metrics.shadowAgreement(d.name(), d.candidate().version());
                    if (a != null) {
                        ObjectNode agreement = m.with("shadow").putObject("agreement");
                        agreement.put("segments", a.segments());
                        agreement.put("exact_rate", a.exactRate());
                        agreement.put("mean_chrf", a.meanChrf());
                    }
                }
            }
            String error = follower == null ? null : follower.errors().get(d.name());
            if (error != null) {
                m.put("error", error);
            }
        }
        return out.toString();
    }

    private static void version(ObjectNode node, ModelVersion v, DeploymentFollower follower) {
        node.put("version", v.version());
        Path dir = follower == null ? null : follower.dirOf(v);
        if (dir != null) {
            node.put("dir", dir.toString());
        }
        node.put("requests_in_use", v.requestsInUse());
    }
}
