{{- define "talon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "talon.fullname" -}}
{{- if contains (include "talon.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "talon.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "talon.labels" -}}
app.kubernetes.io/name: {{ include "talon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "talon.selector" -}}
app.kubernetes.io/name: {{ include "talon.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "talon.serviceAccountName" -}}
{{- if .Values.rbac.serviceAccount.create -}}
{{- default (include "talon.fullname" .) .Values.rbac.serviceAccount.name -}}
{{- else -}}
{{- required "rbac.serviceAccount.name is required when rbac.serviceAccount.create is false" .Values.rbac.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "talon.image" -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "talon.temporalAddress" -}}
{{- if .Values.temporal.address -}}
{{- .Values.temporal.address -}}
{{- else if .Values.temporal.embedded.enabled -}}
{{- printf "%s-temporal:7233" (include "talon.fullname" .) -}}
{{- else -}}
{{- fail "set temporal.address, or temporal.embedded.enabled for a trial" -}}
{{- end -}}
{{- end -}}

{{- /* A map with its keys in snake_case (falco-talon's values are camelCase; the config file is not). */ -}}
{{- define "talon.snake" -}}
{{- $out := dict -}}
{{- range $key, $value := . -}}
{{- if kindIs "map" $value -}}
{{- $_ := set $out (snakecase $key) (include "talon.snake" $value | fromYaml) -}}
{{- else -}}
{{- $_ := set $out (snakecase $key) $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{- /* The pod spec shared by the ingest and the workers: `role` is serve or worker. */ -}}
{{- define "talon.pod" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "talon.selector" . | nindent 4 }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "talon.serviceAccountName" $root }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: talon
      image: {{ include "talon.image" $root }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: [-c, /etc/talon/config/config.yaml, {{ .role }}]
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      env:
        - name: LOG_FORMAT
          value: json
        {{- if or $root.Values.auth.tokens $root.Values.auth.hmacSecrets $root.Values.auth.existingSecret }}
        - name: AUTH_TOKENS
          valueFrom: { secretKeyRef: { name: {{ default (printf "%s-auth" (include "talon.fullname" $root)) $root.Values.auth.existingSecret }}, key: AUTH_TOKENS, optional: true } }
        - name: AUTH_HMAC_SECRETS
          valueFrom: { secretKeyRef: { name: {{ default (printf "%s-auth" (include "talon.fullname" $root)) $root.Values.auth.existingSecret }}, key: AUTH_HMAC_SECRETS, optional: true } }
        {{- end }}
        {{- if or $root.Values.encryption.keys $root.Values.encryption.existingSecret }}
        - name: ENCRYPTION_KEYS
          valueFrom: { secretKeyRef: { name: {{ default (printf "%s-encryption" (include "talon.fullname" $root)) $root.Values.encryption.existingSecret }}, key: ENCRYPTION_KEYS } }
        {{- end }}
        {{- with $root.Values.temporal.apiKeySecret }}
        - name: TEMPORAL_API_KEY
          valueFrom: { secretKeyRef: { name: {{ . }}, key: api-key } }
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        {{- /* the ingest's port; a worker serves /healthz and /metrics on its own */}}
        - { name: http, containerPort: {{ ternary $root.Values.config.listenPort $root.Values.worker.metricsPort (eq .role "serve") }} }
      readinessProbe:
        httpGet: { path: /healthz, port: http }
        periodSeconds: 5
      livenessProbe:
        httpGet: { path: /healthz, port: http }
        periodSeconds: 20
        failureThreshold: 6
      resources:
        {{- toYaml (ternary $root.Values.resources $root.Values.worker.resources (eq .role "serve")) | nindent 8 }}
      volumeMounts:
        - { name: config, mountPath: /etc/talon/config, readOnly: true }
        - { name: rules, mountPath: /etc/talon/rules, readOnly: true }
        - { name: tmp, mountPath: /tmp }
        {{- if $root.Values.temporal.tls.secret }}
        - { name: temporal-tls, mountPath: /etc/talon/temporal-tls, readOnly: true }
        {{- end }}
        {{- with $root.Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap: { name: {{ include "talon.fullname" $root }}-config }
    # The rules ConfigMap is mounted as a directory: its files are swapped atomically on update, and
    # the engine's rule watcher reloads them.
    - name: rules
      configMap: { name: {{ include "talon.fullname" $root }}-rules }
    # Writable scratch space under a read-only root filesystem (local:file outputs, exec buffers).
    - name: tmp
      emptyDir: {}
    {{- with $root.Values.temporal.tls.secret }}
    - name: temporal-tls
      secret: { secretName: {{ . }} }
    {{- end }}
    {{- with $root.Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
