import {get} from 'node:http';

/**
The server needs a moment after `start` to listen; until then docker-proxy accepts and resets the connection.
node:http, not fetch: on such a reset Node 20's fetch can leave its promise pending with nothing keeping the
event loop alive, and the test is cancelled instead of retried.
*/
export async function fetchWithRetry(url: string, withinMs: number): Promise<unknown> {
	const deadline = Date.now() + withinMs;
	for (;;) {
		try {
			return JSON.parse(await getText(url, 2000));
		} catch (error) {
			if (Date.now() > deadline) {
				throw error;
			}

			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
}

export function getText(url: string, timeoutMs: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const request = get(url, {timeout: timeoutMs}, (response) => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				body += chunk;
			});
			response.on('end', () => resolve(body));
			response.on('error', reject);
		});
		request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
		request.on('error', reject);
	});
}
