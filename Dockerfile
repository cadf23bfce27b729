# One immutable image: code, data package and the database built from it. Scale by running more
# replicas behind a load balancer and a CDN; nothing is written at run time.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir . && cakupan validate && cakupan build
EXPOSE 8001
CMD ["cakupan", "serve", "--host", "0.0.0.0", "--port", "8001"]
