# The single-user image for a Glassbox classroom on JupyterHub (Zero to JupyterHub on Kubernetes, or
# DockerSpawner): Jupyter's notebook server, the Glassbox kernel with the native libtorch backend,
# and the tutorials' student versions, copied into each student's home on first start.
# See docs/classroom.md.
#
#   docker build -t glassbox-singleuser .
FROM node:20-bookworm

# jupyterhub gives jupyterhub-singleuser and the notebook server (python3-notebook); libtorch-dev the
# native backend; g++ and make build it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      jupyterhub python3-notebook libtorch-dev g++ make python3 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/glassbox
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The kernelspec goes where Jupyter looks by default (/usr/local/share/jupyter/kernels/glassbox),
# with absolute paths to this Node.js and this kernel.
RUN npm run build:native \
 && node esbuild.mjs \
 && node bin/glassbox.js install --prefix /usr/local \
 && node bin/glassbox.js course release notebooks -o /srv/glassbox/tutorials/ \
 && cp -r samples /srv/glassbox/samples

# Zero to JupyterHub runs the server as uid 1000 with the home volume at /home/jovyan.
RUN usermod --login jovyan --home /home/jovyan --move-home node \
 && groupmod --new-name jovyan node \
 && printf '%s\n' '#!/bin/sh' \
      '# First start: the tutorials (student versions) and their data go into the home volume.' \
      '[ -e "$HOME/tutorials" ] || cp -r /srv/glassbox/tutorials /srv/glassbox/samples "$HOME/"' \
      'exec "$@"' > /usr/local/bin/glassbox-first-start \
 && chmod 755 /usr/local/bin/glassbox-first-start

USER jovyan
WORKDIR /home/jovyan
ENV HOME=/home/jovyan \
    JUPYTERHUB_SINGLEUSER_APP=notebook.notebookapp.NotebookApp
EXPOSE 8888
ENTRYPOINT ["/usr/local/bin/glassbox-first-start"]
CMD ["jupyterhub-singleuser"]
